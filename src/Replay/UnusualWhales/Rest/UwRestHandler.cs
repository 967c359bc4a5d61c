using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Ingestion.Replay.UnusualWhales.Rest;

/// <summary>
/// Serves every <see cref="UwRestCatalog"/> endpoint the way protocols.md §1.2 describes UW's REST API: auth by
/// "Authorization: Bearer X" or a raw "X", then forced faults, then 422 for bad inputs, then the per-token
/// budgets (429 with Retry-After), then {"data":[…]} with the five x-uw-* usage headers.
/// </summary>
internal sealed partial class UwRestHandler(
    ReplayServerOptions options,
    UnusualWhalesStats stats,
    ReplayFaults faults,
    UwRateLimiter limiter,
    ReplayClock clock,
    ILogger<UwRestHandler> logger)
{
    private static readonly string[] CandleSizes = ["1m", "5m", "10m", "15m", "30m", "1h", "4h", "1d"];
    private static readonly HashSet<string> BooleanQueries = new(StringComparer.Ordinal)
    {
        "otm_only", "interval_5m", "major_only", "all_opening", "size_greater_oi", "vol_greater_oi",
    };

    public void Map(IEndpointRouteBuilder endpoints)
    {
        foreach (var endpoint in UwRestCatalog.Endpoints)
            endpoints.MapGet(endpoint.Template, context => HandleAsync(context, endpoint));
    }

    /// <summary>The token of "Authorization: Bearer X" or of a raw "Authorization: X"; null when absent.</summary>
    public static string? TokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString().Trim();
        if (header.Length == 0) return null;
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : header;
    }

    private async Task HandleAsync(HttpContext context, UwRestEndpoint endpoint)
    {
        var status = await RespondAsync(context, endpoint);
        stats.RecordRestResponse(endpoint.Template, status);
    }

    private async Task<int> RespondAsync(HttpContext context, UwRestEndpoint endpoint)
    {
        var request = context.Request;
        var token = TokenOf(request);
        if (faults.RefuseAuth || !string.Equals(token, options.UnusualWhalesToken, StringComparison.Ordinal))
            return await JsonErrorAsync(context, StatusCodes.Status401Unauthorized, UwRestErrors.Unauthorized);

        if (faults.TryTakeUnusualWhalesRestFault(out var forced))
        {
            logger.LogDebug("UW REST fault: forcing {Status} on {Path}", forced, request.Path);
            if (forced == StatusCodes.Status429TooManyRequests) return await RateLimitedAsync(context, limiter.Peek(token!));
            context.Response.StatusCode = forced;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(UwRestErrors.ServerErrorText);
            return forced;
        }

        var (pathErrors, queryErrors, limit, page) = Validate(context, endpoint);
        if (pathErrors.Count > 0 || queryErrors.Count > 0)
        {
            var parts = new List<string>();
            if (pathErrors.Count > 0) parts.Add("Invalid path input: " + string.Join(", ", pathErrors));
            if (queryErrors.Count > 0) parts.Add("Invalid query input(s): " + string.Join(", ", queryErrors));
            return await JsonErrorAsync(context, StatusCodes.Status422UnprocessableEntity, string.Join(" - ", parts));
        }

        var usage = limiter.TryAcquire(token!);
        if (!usage.Allowed) return await RateLimitedAsync(context, usage);

        var now = clock.IsUnpaced ? clock.SyntheticStart : DateTimeOffset.FromUnixTimeMilliseconds(clock.SyntheticNowMs());
        var date = DateOnly.TryParseExact(request.Query["date"].ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var asked)
            ? asked : UwTradingDay.LatestSession(now);
        var generator = new UwRestRequest(endpoint.Template, request.RouteValues, request.Query, date, now.ToUnixTimeMilliseconds(), options.Seed);
        var rows = endpoint.Rows(generator);
        if (limit is { } take) rows = rows.Skip(page * take).Take(take);

        WriteUsageHeaders(context.Response, usage);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["data"] = new JsonArray([.. rows]) }.ToJsonString(UwRestJson.Options));
        return StatusCodes.Status200OK;
    }

    private (List<string> Path, List<string> Query, int? Limit, int Page) Validate(HttpContext context, UwRestEndpoint endpoint)
    {
        var pathErrors = new List<string>();
        var queryErrors = new List<string>();
        foreach (var (name, value) in context.Request.RouteValues)
        {
            var text = value?.ToString() ?? "";
            var example = name switch
            {
                "ticker" when !UwChannel.IsTicker(text) => "AAPL",
                "expiry" when !IsDate(text) => "2024-01-19",
                "id" when !OptionSymbolPattern().IsMatch(text) => "TSLA230526P00167500",
                "candle_size" when !CandleSizes.Contains(text) => "1m",
                _ => null,
            };
            if (example is not null) pathErrors.Add($"{text} (valid example: {example})");
        }

        int? limit = endpoint.DefaultLimit;
        var page = 0;
        foreach (var (name, values) in context.Request.Query)
        {
            var text = values.ToString();
            string? example = null;
            if (name is "date" or "expiry" && !IsDate(text)) example = "2024-01-18";
            else if (name == "limit" && endpoint.MaxLimit is { } max)
            {
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max) limit = n;
                else example = endpoint.DefaultLimit?.ToString(CultureInfo.InvariantCulture);
            }
            else if (name == "page")
            {
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var p)) page = p;
                else example = "0";
            }
            else if ((name.StartsWith("min_", StringComparison.Ordinal) || name.StartsWith("max_", StringComparison.Ordinal))
                     && !decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out _)) example = "100";
            else if ((name.StartsWith("is_", StringComparison.Ordinal) || BooleanQueries.Contains(name)) && text is not ("true" or "false")) example = "true";
            if (example is not null) queryErrors.Add($"{name}={text} (valid example: {name}={example})");
        }
        return (pathErrors, queryErrors, limit, page);
    }

    private async Task<int> RateLimitedAsync(HttpContext context, UwUsage usage)
    {
        WriteUsageHeaders(context.Response, usage);
        var retryAfter = usage.RetryAfter > TimeSpan.Zero ? usage.RetryAfter : TimeSpan.FromSeconds(1);
        context.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var message = usage.DailyExhausted ? UwRestErrors.DailyLimit(usage.DailyLimit) : UwRestErrors.MinuteLimit(usage.MinuteLimit, retryAfter);
        return await JsonErrorAsync(context, StatusCodes.Status429TooManyRequests, message);
    }

    /// <summary>The five usage headers; on a 429 too, where clients tell daily exhaustion by daily count ≥ limit.</summary>
    private static void WriteUsageHeaders(HttpResponse response, UwUsage usage)
    {
        response.Headers["x-uw-daily-req-count"] = usage.DailyCount.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-uw-token-req-limit"] = usage.DailyLimit.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-uw-minute-req-counter"] = usage.MinuteCount.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-uw-req-per-minute-remaining"] = usage.MinuteRemaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-uw-req-per-minute-reset"] = usage.MinuteResetMs.ToString(CultureInfo.InvariantCulture);
    }

    private static async Task<int> JsonErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(UwRestErrors.Body(context.Request, message).ToJsonString(UwRestJson.Options));
        return status;
    }

    private static bool IsDate(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    [GeneratedRegex(@"^[A-Z]{1,6}\d{6}[CP]\d{8}$", RegexOptions.CultureInvariant)]
    private static partial Regex OptionSymbolPattern();
}

internal static class UwRestJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
