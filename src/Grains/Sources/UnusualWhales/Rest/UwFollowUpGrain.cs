using System.Text.Json;
using System.Text.RegularExpressions;
using Ingestion.Instruments;
using Ingestion.Scheduling;
using Ingestion.UnusualWhales;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingestion.Sources.UnusualWhales.Rest;

/// <summary>
/// On-demand fetches paid from the reserved share of the budget: one <c>/api/option-contract/{id}/flow</c> per option
/// chain per trading day, in arrival order. The dedup set lives in memory: after a silo loss a chain may be fetched
/// once more, and the archive's (endpoint, scope, payload_hash) key absorbs an identical answer.
/// </summary>
public sealed partial class UwFollowUpGrain(
    UwRestCaller caller,
    UwRestArchive archive,
    UwRestMetrics metrics,
    TimeProvider time,
    ILogger<UwFollowUpGrain> logger) : Grain, IUwFollowUpGrain
{
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(200);
    private readonly Queue<string> _queue = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private DateOnly _day;
    private long _fetched;
    private long _failed;
    private long _duplicates;
    private IGrainTimer? _timer;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _day = TradingDay.Of(time.GetUtcNow());
        _timer = this.RegisterGrainTimer(DrainAsync, new GrainTimerCreationOptions(Idle, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public Task<bool> EnqueueContractFlowAsync(string optionChainId)
    {
        var id = (optionChainId ?? "").Trim().ToUpperInvariant();
        if (id.StartsWith("O:", StringComparison.Ordinal)) id = id[2..];
        if (!OptionChain().IsMatch(id)) throw new ArgumentException($"'{optionChainId}' is not an OCC option symbol such as SPY251030C00428000.", nameof(optionChainId));
        RollDay();
        if (!_seen.Add(id))
        {
            _duplicates++;
            return Task.FromResult(false);
        }
        _queue.Enqueue(id);
        return Task.FromResult(true);
    }

    public Task<UwFollowUpStatus> GetStatusAsync() => Task.FromResult(new UwFollowUpStatus(_queue.Count, _fetched, _failed, _duplicates, _day));

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var next = Idle;
        try
        {
            while (_queue.TryPeek(out var id))
            {
                var endpoint = UwRestCatalog.ContractFlow;
                var outcome = await caller.FetchAsync("follow-up", endpoint.Tier, RatePurpose.Reserve, endpoint.PathFor(id), cancellationToken);
                metrics.UwRestRequests.Add(outcome.Requests);
                if (outcome.Result == UwFetchResult.Deferred)
                {
                    next = TimeSpan.FromTicks(Math.Clamp(outcome.RetryAfter.Ticks, Idle.Ticks, TimeSpan.FromSeconds(10).Ticks));
                    break;
                }
                _queue.Dequeue();
                if (outcome.Result == UwFetchResult.Fetched)
                {
                    await archive.WriteAsync(new UwRestPayload(endpoint.Name, id, outcome.Response!, time.GetUtcNow()), cancellationToken);
                    _fetched++;
                }
                else
                {
                    _failed++;
                    metrics.UwRestFailures.Add(1);
                    logger.LogWarning("Follow-up {Endpoint} for {OptionChain} failed: {Error}", endpoint.Name, id, outcome.Error);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or Npgsql.NpgsqlException or StackExchange.Redis.RedisException or TimeoutException or OrleansException)
        {
            logger.LogWarning(ex, "Follow-up queue stalled; trying again shortly");
            next = TimeSpan.FromSeconds(1);
        }
        finally
        {
            _timer?.Change(next, Timeout.InfiniteTimeSpan);
        }
    }

    private void RollDay()
    {
        var today = TradingDay.Of(time.GetUtcNow());
        if (today == _day) return;
        _day = today;
        _seen.Clear();
        foreach (var queued in _queue) _seen.Add(queued);
    }

    [GeneratedRegex(@"^[A-Z]{1,6}\d{6}[CP]\d{8}$", RegexOptions.CultureInvariant)]
    private static partial Regex OptionChain();
}
