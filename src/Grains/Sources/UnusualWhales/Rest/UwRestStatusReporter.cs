using Ingestion.Scheduling;
using Ingestion.UnusualWhales;

namespace Ingestion.Sources.UnusualWhales.Rest;

/// <summary>The compact UW REST part of <c>/api/status</c>: the limiter, job counts, and the jobs that are failing.</summary>
public sealed record UwRestStatusSection(
    RateLimiterStatus? Limiter,
    int Jobs,
    int Answered,
    int Failing,
    long Requests,
    long Failures,
    long Deferred,
    DateTimeOffset? NextDueAt,
    IReadOnlyList<UwRestJobStatus> FailingJobs);

/// <summary>Asks the limiter and every configured job grain, wherever they live.</summary>
public sealed class UwRestStatusReporter(UwRestJobKeeper keeper, UwRestCaller caller, IGrainFactory grains)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Null when UW REST polling is off.</summary>
    public async Task<UwRestStatusSection?> BuildAsync(CancellationToken cancellationToken)
    {
        if (!keeper.Active) return null;
        var jobs = keeper.Jobs;
        var limiter = Ask(caller.Limiter.GetStatusAsync(), cancellationToken);
        var statuses = (await Task.WhenAll(jobs.Select(j => Ask(grains.GetGrain<IUwRestJobGrain>(j.Key).GetStatusAsync(), cancellationToken))))
            .OfType<UwRestJobStatus>().ToList();
        var failing = statuses.Where(s => s.ConsecutiveFailures > 0).OrderByDescending(s => s.ConsecutiveFailures).ToList();
        return new UwRestStatusSection(await limiter, jobs.Count, statuses.Count, failing.Count,
            statuses.Sum(s => s.Requests), statuses.Sum(s => s.Failures), statuses.Sum(s => s.Deferred),
            statuses.Min(s => s.NextDueAt), failing);
    }

    private static async Task<T?> Ask<T>(Task<T> call, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return await call.WaitAsync(CallTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException or OperationCanceledException)
        {
            return null;
        }
    }
}
