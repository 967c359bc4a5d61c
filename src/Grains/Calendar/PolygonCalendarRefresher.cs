using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ingestion.Instruments;
using Ingestion.Sources.Polygon;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingestion.Calendar;

/// <summary>
/// Keeps <see cref="UpcomingMarketDays"/> filled from Polygon's <c>GET /v1/marketstatus/upcoming</c>: at start, then every
/// <see cref="MarketCalendarOptions.RefreshInterval"/>. A failed or malformed answer keeps the last good one; before the
/// first good one the calendar runs on the NYSE rules, and says so once per outage.
/// </summary>
public sealed partial class PolygonCalendarRefresher(
    IHttpClientFactory httpClients,
    IOptions<PolygonOptions> polygon,
    IOptions<MarketCalendarOptions> options,
    UpcomingMarketDays upcoming,
    TimeProvider time,
    ILogger<PolygonCalendarRefresher> logger) : BackgroundService
{
    public const string HttpClientName = "polygon-market-calendar";
    public const string UpcomingPath = "/v1/marketstatus/upcoming";
    public const string Exchange = "NYSE";

    private readonly SemaphoreSlim gate = new(1, 1);
    private bool outageReported;

    /// <summary>True when an API key is configured and <see cref="MarketCalendarOptions.UsePolygon"/> is on.</summary>
    public bool IsEnabled => options.Value.UsePolygon && !string.IsNullOrWhiteSpace(polygon.Value.ApiKey);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsEnabled)
        {
            LogRulesOnly(logger, MarketCalendarOptions.Section, PolygonOptions.Section);
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            // Due times count from the start of each attempt, so a slow fetch does not push the schedule back.
            var attemptedAt = time.GetUtcNow();
            var loaded = await RefreshAsync(stoppingToken);
            var wait = attemptedAt + (loaded ? options.Value.RefreshInterval : options.Value.RetryAfterFailure) - time.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, time, stoppingToken);
        }
    }

    /// <summary>Fetches the upcoming list once. True when it replaced the calendar's Polygon entries; never throws but for cancellation.</summary>
    public async Task<bool> RefreshAsync(CancellationToken ct = default)
    {
        if (!IsEnabled) return false;
        await gate.WaitAsync(ct);
        try
        {
            return await RefreshOnceAsync(ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<bool> RefreshOnceAsync(CancellationToken ct)
    {
        try
        {
            var entries = PolygonUpcomingParser.Parse(await FetchAsync(ct));
            var sessions = PolygonUpcomingParser.ToSessions(entries, Exchange);
            var now = time.GetUtcNow().ToUniversalTime();
            upcoming.Replace(sessions, TradingDay.Of(now), now);
            LogLoaded(logger, sessions.Count, entries.Count);
            outageReported = false;
            return true;
        }
        catch (FormatException ex)
        {
            ReportFailure($"the answer is malformed: {ex.Message}");
        }
        catch (PolygonCalendarException ex)
        {
            ReportFailure(ex.Message);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            ReportFailure($"the request timed out: {ex.Message}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Network errors, and anything else: the calendar must keep answering, so a refresh never takes the host down.
            ReportFailure($"the request failed: {ex.GetType().Name}: {ex.Message}");
        }
        return false;
    }

    public override void Dispose()
    {
        gate.Dispose();
        base.Dispose();
    }

    private async Task<string> FetchAsync(CancellationToken ct)
    {
        var client = httpClients.CreateClient(HttpClientName);
        var uri = new Uri(new Uri(polygon.Value.RestBaseUrl.TrimEnd('/') + "/"), UpcomingPath.TrimStart('/'));
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        // The header, not ?apiKey=, so the key never appears in a logged URL.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", polygon.Value.ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new PolygonCalendarException($"GET {UpcomingPath} answered {(int)response.StatusCode} {response.StatusCode}: {ErrorText(body)}");
        return body;
    }

    /// <summary>Polygon puts the reason in <c>error</c> (401, 429) or <c>message</c> (403).</summary>
    private static string ErrorText(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in new[] { "error", "message" })
                {
                    if (document.RootElement.TryGetProperty(property, out var text) && text.ValueKind == JsonValueKind.String)
                        return text.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: show the start of the body.
        }
        return body.Length <= 200 ? body : body[..200] + "…";
    }

    private void ReportFailure(string reason)
    {
        if (outageReported)
        {
            LogStillFailing(logger, reason);
            return;
        }
        outageReported = true;
        if (upcoming.LoadedAt is { } loadedAt)
            LogKeepingLastGood(logger, reason, loadedAt);
        else
            LogFallingBackToRules(logger, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Market calendar uses the built-in NYSE rules only ({CalendarSection}:UsePolygon is false or {PolygonSection}:ApiKey is empty)")]
    private static partial void LogRulesOnly(ILogger logger, string calendarSection, string polygonSection);

    [LoggerMessage(Level = LogLevel.Information, Message = "Market calendar loaded {Sessions} NYSE holidays and early closes from Polygon ({Entries} entries)")]
    private static partial void LogLoaded(ILogger logger, int sessions, int entries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Market calendar could not load Polygon's upcoming holidays, so it answers from the built-in NYSE rules: {Reason}")]
    private static partial void LogFallingBackToRules(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Market calendar could not refresh Polygon's upcoming holidays and keeps the answer loaded at {LoadedAt:O}: {Reason}")]
    private static partial void LogKeepingLastGood(ILogger logger, string reason, DateTimeOffset loadedAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Market calendar refresh still failing: {Reason}")]
    private static partial void LogStillFailing(ILogger logger, string reason);
}

/// <summary>Polygon answered, but not with the list (an HTTP error status).</summary>
public sealed class PolygonCalendarException(string message) : Exception(message);
