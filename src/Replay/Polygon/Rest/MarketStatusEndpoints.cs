using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ingestion.Replay.Polygon.Rest;

/// <summary>
/// Polygon's <c>GET /v1/marketstatus/upcoming</c> and <c>GET /v1/marketstatus/now</c> (protocols.md §2.2), answered
/// for the replay clock's day: with <see cref="ReplayServerOptions.StartTime"/> a test can live on any date.
/// </summary>
internal static class MarketStatusEndpoints
{
    private static readonly string[] IndicesGroups =
        ["s_and_p", "societe_generale", "msci", "ftse_russell", "mstar", "mstarc", "cccy", "cgi", "nasdaq", "dow_jones"];

    private static readonly TimeOnly PreMarketOpen = new(4, 0);
    private static readonly TimeOnly AfterHoursClose = new(20, 0);

    public static void MapPolygonMarketStatus(this IEndpointRouteBuilder app, ReplayServerOptions options, ReplayClock clock)
    {
        app.MapGet("/v1/marketstatus/upcoming", (HttpRequest request) =>
            PolygonRestAuth.Check(request, options.ApiKey) ?? Results.Json(Upcoming(Now(clock))));
        app.MapGet("/v1/marketstatus/now", (HttpRequest request) =>
            PolygonRestAuth.Check(request, options.ApiKey) ?? Results.Json(Status(Now(clock))));
    }

    /// <summary>The replay's market time: the synthetic clock when paced, its start when unpaced (Speed 0).</summary>
    private static DateTimeOffset Now(ReplayClock clock) =>
        clock.IsUnpaced ? clock.SyntheticStart : DateTimeOffset.FromUnixTimeMilliseconds(clock.SyntheticNowMs());

    internal static IEnumerable<object> Upcoming(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, MarketHolidays.NewYork).DateTime);
        foreach (var holiday in MarketHolidays.Upcoming(today))
        {
            var date = holiday.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            foreach (var exchange in new[] { "NYSE", "NASDAQ" })
            {
                if (holiday.Close is { } close)
                {
                    yield return new
                    {
                        date, exchange, name = holiday.Name, status = "early-close",
                        open = Utc(MarketHolidays.At(holiday.Date, MarketHolidays.Open)),
                        close = Utc(MarketHolidays.At(holiday.Date, close)),
                    };
                }
                else
                {
                    yield return new { date, exchange, name = holiday.Name, status = "closed" };
                }
            }
        }
    }

    internal static object Status(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, MarketHolidays.NewYork);
        var day = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var holiday = MarketHolidays.On(day);
        var tradingDay = !MarketHolidays.IsWeekend(day) && holiday is not { IsEarlyClose: false };
        var close = holiday?.Close ?? MarketHolidays.Close;
        var earlyHours = tradingDay && time >= PreMarketOpen && time < MarketHolidays.Open;
        var open = tradingDay && time >= MarketHolidays.Open && time < close;
        var afterHours = tradingDay && time >= close && time < AfterHoursClose;
        var market = open ? "open" : earlyHours || afterHours ? "extended-hours" : "closed";
        // FX trades from Sunday 17:00 to Friday 17:00 New York.
        var fxClosed = local.DayOfWeek == DayOfWeek.Saturday
            || (local.DayOfWeek == DayOfWeek.Friday && time >= new TimeOnly(17, 0))
            || (local.DayOfWeek == DayOfWeek.Sunday && time < new TimeOnly(17, 0));
        var indices = open ? "open" : "closed";
        return new
        {
            afterHours,
            currencies = new { crypto = "open", fx = fxClosed ? "closed" : "open" },
            earlyHours,
            exchanges = new { nasdaq = market, nyse = market, otc = open ? "open" : "closed" },
            indicesGroups = IndicesGroups.ToDictionary(g => g, _ => indices),
            market,
            serverTime = local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        };
    }

    private static string Utc(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>Polygon REST auth: <c>?apiKey=</c> or <c>Authorization: Bearer</c>, with the vendor's 401 bodies.</summary>
internal static class PolygonRestAuth
{
    /// <summary>Null when the request carries the right key, else the 401 to send.</summary>
    public static IResult? Check(HttpRequest request, string apiKey)
    {
        var presented = request.Query["apiKey"].FirstOrDefault(k => !string.IsNullOrEmpty(k)) ?? BearerToken(request);
        if (presented == apiKey) return null;
        var error = presented is null ? "API Key was not provided" : "Unknown API Key";
        return Results.Json(new { status = "ERROR", request_id = Guid.NewGuid().ToString("N"), error }, statusCode: StatusCodes.Status401Unauthorized);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && header.Length > prefix.Length ? header[prefix.Length..].Trim() : null;
    }
}
