using System.Globalization;
using System.Net.Http.Headers;
using Ingestion.Scheduling;
using Microsoft.Extensions.Options;

namespace Ingestion.Sources.UnusualWhales.Rest;

/// <summary>What one GET brought back: status (0 when the network failed), body, the server's rate feedback, an error.</summary>
public sealed record UwRestResponse(int Status, string? Body, RateReport Rate, string? Error, string Url)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>Network failures, timeouts and 5xx are worth a retry; 4xx are not.</summary>
    public bool IsTransient => Status == 0 || Status >= 500;
}

/// <summary>
/// One GET against the UW REST API through the named <see cref="HttpClientName"/> client, with
/// <c>Authorization: Bearer</c>. The token travels only in that header: URLs, errors and logs never carry it.
/// Retries are not done here: each one must be paid for with a token from the rate limiter (<see cref="UwRestCaller"/>).
/// </summary>
public sealed class UwRestClient(IHttpClientFactory httpClients, IOptions<UnusualWhalesOptions> options)
{
    public const string HttpClientName = "unusual-whales-rest";

    public async Task<UwRestResponse> GetAsync(string pathAndQuery, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var source = options.Value;
        var url = new Uri(new Uri(source.RestBaseUrl.TrimEnd('/') + "/"), pathAndQuery.TrimStart('/'));
        var shownUrl = source.Redact(url.ToString());
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", source.Token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, deadline.Token);
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            var status = (int)response.StatusCode;
            var rate = new RateReport(
                status,
                (int?)Header(response, "x-uw-req-per-minute-remaining"),
                Header(response, "x-uw-req-per-minute-reset"),
                Header(response, "x-uw-daily-req-count"),
                Header(response, "x-uw-token-req-limit"),
                RetryAfter(response));
            var error = response.IsSuccessStatusCode ? null : $"HTTP {status}: {source.Redact(Truncate(body))}";
            return new UwRestResponse(status, body, rate, error, shownUrl);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            var error = ex is TaskCanceledException ? "request timed out" : source.Redact(ex.Message);
            return new UwRestResponse(0, null, new RateReport(0, null, null, null, null, null), error, shownUrl);
        }
    }

    private static long? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
