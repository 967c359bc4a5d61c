using System.Security.Cryptography;
using System.Text;
using Ingestion.Scheduling;
using Microsoft.Extensions.Options;

namespace Ingestion.Sources.UnusualWhales.Rest;

/// <summary>How one turn of a job ended.</summary>
public enum UwFetchResult
{
    Fetched = 0,

    /// <summary>The limiter had no token in time: nothing was sent.</summary>
    Deferred = 1,

    /// <summary>Sent, and failed (after the retries transient failures get).</summary>
    Failed = 2,
}

/// <summary>The outcome of a turn: what happened, the answer, how many requests went out, and when to try again.</summary>
public sealed record UwFetchOutcome(UwFetchResult Result, UwRestResponse? Response, int Requests, TimeSpan RetryAfter, string? Error);

/// <summary>
/// One paid fetch: a token from the credential's <see cref="IRateLimiterGrain"/>, the GET, the server's rate feedback
/// back to the limiter, and up to <c>Retries</c> retries of network errors and 5xx with jittered exponential delays,
/// each paid from the reserved share. A 429 is never retried here: the limiter pauses everyone instead.
/// </summary>
public sealed class UwRestCaller(
    UwRestClient client,
    IGrainFactory grains,
    IOptions<UnusualWhalesOptions> source,
    IOptions<UnusualWhalesRestOptions> rest)
{
    /// <summary>The limiter of the configured credential.</summary>
    public IRateLimiterGrain Limiter => grains.GetGrain<IRateLimiterGrain>(CredentialKey(source.Value.Token));

    /// <summary>A non-reversible key for a credential: it names the limiter grain without revealing the token.</summary>
    public static string CredentialKey(string token) =>
        "uw-rest/" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("ingestion:uw-rest-credential:" + token)))[..16];

    public async Task<UwFetchOutcome> FetchAsync(string requester, int tier, RatePurpose purpose, string pathAndQuery, CancellationToken cancellationToken)
    {
        var options = rest.Value;
        var limiter = Limiter;
        var requests = 0;
        UwRestResponse? last = null;
        for (var attempt = 0; attempt <= options.Retries; attempt++)
        {
            if (attempt > 0)
            {
                var delay = options.RetryDelay * Math.Pow(2, attempt - 1) * (0.8 + 0.4 * Random.Shared.NextDouble());
                await Task.Delay(delay, cancellationToken);
            }
            var lease = await limiter.AcquireAsync(new RateRequest(requester, tier, attempt == 0 ? purpose : RatePurpose.Reserve));
            if (!lease.Granted)
            {
                return requests == 0
                    ? new UwFetchOutcome(UwFetchResult.Deferred, null, 0, lease.RetryAfter, lease.Reason)
                    : new UwFetchOutcome(UwFetchResult.Failed, last, requests, lease.RetryAfter, last?.Error);
            }

            last = await client.GetAsync(pathAndQuery, options.RequestTimeout, cancellationToken);
            requests++;
            await limiter.ReportAsync(last.Rate);
            if (last.IsSuccess) return new UwFetchOutcome(UwFetchResult.Fetched, last, requests, TimeSpan.Zero, null);
            if (!last.IsTransient) break;
        }
        return new UwFetchOutcome(UwFetchResult.Failed, last, requests, TimeSpan.Zero, last?.Error);
    }
}
