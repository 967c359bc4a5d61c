using System.Globalization;
using System.Text.Json.Nodes;
using Ingestion.Replay.Polygon.Synthetic;
using Ingestion.Replay.UnusualWhales.Synthetic;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ingestion.Replay.UnusualWhales.Rest;

/// <summary>
/// What a payload generator of <see cref="UwRestCatalog"/> knows about one valid request: route values, query,
/// the trading day asked for, and a random source seeded from the request, so the same request gets the same rows.
/// </summary>
public sealed class UwRestRequest
{
    private static readonly TimeOnly SessionOpen = new(9, 30);
    private static readonly TimeOnly SessionClose = new(16, 0);

    private readonly RouteValueDictionary route;
    private readonly IQueryCollection query;

    internal UwRestRequest(string template, RouteValueDictionary route, IQueryCollection query, DateOnly date, long nowMs, int seed)
    {
        this.route = route;
        this.query = query;
        Template = template;
        Date = date;
        NowMs = nowMs;
        Ticker = Route("ticker") ?? "SPY";
        Random = new Random(StableSeed.For(seed, $"{template}|{Ticker}|{Route("expiry")}|{Route("id")}|{date:yyyy-MM-dd}"));
        Spot = Math.Round((decimal)(UwInstruments.For(Ticker).StartPrice * (0.98 + 0.04 * Random.NextDouble())), 2);
    }

    public string Template { get; }

    /// <summary>The {ticker} route value, or SPY for market-wide endpoints.</summary>
    public string Ticker { get; }

    /// <summary>The trading day: the date query parameter, or today in New York.</summary>
    public DateOnly Date { get; }

    public long NowMs { get; }

    public Random Random { get; }

    /// <summary>The underlying's price that day.</summary>
    public decimal Spot { get; }

    public string? Route(string name) => route.TryGetValue(name, out var value) ? value?.ToString() : null;

    public string? Query(string name) => query.TryGetValue(name, out var value) ? value.ToString() : null;

    public string Price => UwFormat.Cents(Spot);

    /// <summary>A two-decimal string between <paramref name="low"/> and <paramref name="high"/>.</summary>
    public string Money(double low, double high) => UwFormat.Money(low + (high - low) * Random.NextDouble());

    /// <summary>A full-precision string between <paramref name="low"/> and <paramref name="high"/>, like UW's ratios and greeks.</summary>
    public string Ratio(double low, double high) => UwFormat.Full(low + (high - low) * Random.NextDouble());

    public int Int(int low, int high) => Random.Next(low, high);

    public string Uuid() => UwFormat.Uuid(Random);

    /// <summary>Epoch ms of each bar start in the session of <see cref="Date"/>, up to now when that day is today.</summary>
    public IEnumerable<long> SessionMinutes(int stepMinutes = 1)
    {
        var open = EasternToUtc(Date, SessionOpen).ToUnixTimeMilliseconds();
        var close = EasternToUtc(Date, SessionClose).ToUnixTimeMilliseconds();
        var end = Math.Clamp(NowMs, open + stepMinutes * 60_000L, close);
        for (var t = open; t < end; t += stepMinutes * 60_000L) yield return t;
    }

    /// <summary>The <paramref name="count"/> trading days (weekdays) up to and including <see cref="Date"/>, oldest first.</summary>
    public IReadOnlyList<DateOnly> TradingDays(int count)
    {
        var days = new List<DateOnly>();
        for (var d = Date; days.Count < count; d = d.AddDays(-1))
        {
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) days.Add(d);
        }
        days.Reverse();
        return days;
    }

    /// <summary>The route's {expiry} or the expiry query parameter as the only expiry, else the next <paramref name="count"/> Fridays.</summary>
    public IReadOnlyList<DateOnly> Expiries(int count)
    {
        var given = Route("expiry") ?? Query("expiry");
        return given is not null && DateOnly.TryParseExact(given, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var expiry)
            ? [expiry]
            : UwFormat.Fridays(Date, count);
    }

    /// <summary>Strikes on the grid around <see cref="Spot"/>, within min_strike/max_strike when given.</summary>
    public IReadOnlyList<decimal> Strikes(int eachSide)
    {
        var step = UwFormat.StrikeStep(Spot);
        var atm = Math.Round(Spot / step) * step;
        var min = decimal.TryParse(Query("min_strike"), CultureInfo.InvariantCulture, out var lo) ? lo : decimal.MinValue;
        var max = decimal.TryParse(Query("max_strike"), CultureInfo.InvariantCulture, out var hi) ? hi : decimal.MaxValue;
        return [.. Enumerable.Range(-eachSide, 2 * eachSide + 1).Select(i => atm + i * step).Where(s => s > 0 && s >= min && s <= max)];
    }

    public string Symbol(DateOnly expiry, bool isCall, decimal strike) => UwFormat.OptionSymbol(Ticker, expiry, isCall, strike);

    public static string Iso(long ms) => UwFormat.IsoUtc(ms);

    /// <summary>ISO with the New York offset, as market-tide writes it: 2023-09-08T09:30:00-04:00.</summary>
    public static string EasternIso(long ms)
    {
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(ms), UwTradingDay.NewYork);
        return local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }

    public static string Day(DateOnly date) => UwFormat.Date(date);

    public static JsonArray Strings(params string[] values) => [.. values.Select(v => (JsonNode?)JsonValue.Create(v))];

    private static DateTimeOffset EasternToUtc(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, UwTradingDay.NewYork.GetUtcOffset(local));
    }
}
