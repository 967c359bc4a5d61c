using System.Text.Json;
using Ingestion.Scheduling;
using Ingestion.UnusualWhales;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingestion.Sources.UnusualWhales.Rest;

/// <summary>
/// Polls one (endpoint, scope) on its cadence ±10% jitter with a one-shot grain timer re-armed after every turn. It
/// holds no durable state: <see cref="UwRestJobKeeper"/> touches it every few seconds from every silo, so after a silo
/// dies it comes back on a survivor and simply polls again (the archive absorbs the repeat).
/// </summary>
public sealed class UwRestJobGrain(
    UwRestCaller caller,
    UwRestArchive archive,
    IOptions<UnusualWhalesRestOptions> rest,
    IOptions<WatchlistOptions> watchlist,
    UwRestMetrics metrics,
    ILocalSiloDetails silo,
    TimeProvider time,
    ILogger<UwRestJobGrain> logger) : Grain, IUwRestJobGrain
{
    private UwRestJob _job = null!;
    private IGrainTimer? _timer;
    private DateTimeOffset? _lastSuccessAt;
    private DateTimeOffset? _lastFailureAt;
    private string? _lastError;
    private DateTimeOffset? _nextDueAt;
    private long _successes;
    private long _failures;
    private long _requests;
    private long _deferred;
    private int _consecutiveFailures;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var (name, scope) = UwRestJob.Parse(key);
        _job = UwRestCatalog.Jobs(rest.Value, watchlist.Value.EffectiveTickers).FirstOrDefault(j => j.Key == key)
            ?? throw new InvalidOperationException($"REST job {key} is not configured (endpoint {name}, scope {scope}).");
        var first = rest.Value.StartSpread * Random.Shared.NextDouble();
        _nextDueAt = time.GetUtcNow() + first;
        _timer = this.RegisterGrainTimer(TurnAsync, new GrainTimerCreationOptions(first, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public Task EnsureRunningAsync() => Task.CompletedTask;

    public Task<UwRestJobStatus> GetStatusAsync() => Task.FromResult(new UwRestJobStatus(
        _job.Key, _job.Endpoint.Tier, _job.Endpoint.Cadence, _lastSuccessAt, _lastFailureAt, _lastError, _nextDueAt,
        _successes, _failures, _requests, _deferred, _consecutiveFailures, silo.SiloAddress.ToString()));

    private async Task TurnAsync(CancellationToken cancellationToken)
    {
        var next = Jittered(_job.Endpoint.Cadence);
        try
        {
            var outcome = await caller.FetchAsync(_job.Key, _job.Endpoint.Tier, RatePurpose.Scheduled, _job.Endpoint.PathFor(_job.Scope), cancellationToken);
            _requests += outcome.Requests;
            metrics.UwRestRequests.Add(outcome.Requests);
            switch (outcome.Result)
            {
                case UwFetchResult.Fetched:
                    await archive.WriteAsync(new UwRestPayload(_job.Endpoint.Name, _job.Scope, outcome.Response!, time.GetUtcNow()), cancellationToken);
                    _lastSuccessAt = time.GetUtcNow();
                    _successes++;
                    _consecutiveFailures = 0;
                    break;
                case UwFetchResult.Deferred:
                    // No token in time: try again when one is likely, but never later than the normal turn.
                    _deferred++;
                    metrics.UwRestDeferred.Add(1);
                    next = TimeSpan.FromTicks(Math.Clamp(outcome.RetryAfter.Ticks, TimeSpan.FromMilliseconds(200).Ticks, next.Ticks));
                    break;
                default:
                    Fail(outcome.Error ?? "failed");
                    break;
            }
        }
        catch (Exception ex) when (ex is JsonException or Npgsql.NpgsqlException or StackExchange.Redis.RedisException or TimeoutException or OrleansException)
        {
            Fail(ex.Message);
        }
        finally
        {
            _nextDueAt = time.GetUtcNow() + next;
            _timer?.Change(next, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fail(string error)
    {
        _failures++;
        _consecutiveFailures++;
        _lastFailureAt = time.GetUtcNow();
        _lastError = error;
        metrics.UwRestFailures.Add(1);
        logger.LogWarning("REST job {Job} failed ({Failures} in a row), next turn in {Cadence}: {Error}", _job.Key, _consecutiveFailures, _job.Endpoint.Cadence, error);
    }

    private static TimeSpan Jittered(TimeSpan cadence) => cadence * (0.9 + 0.2 * Random.Shared.NextDouble());
}
