using Ingestion.Observability;
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

    /// <summary>Null when UW REST polling is off.</summary>
    public async Task<UwRestStatusSection?> BuildAsync(CancellationToken cancellationToken)
    {
        if (!keeper.Active) return null;
        var jobs = keeper.Jobs;
        var limiter = caller.Limiter.GetStatusAsync().AnswerOrNullAsync(cancellationToken);
        var statuses = (await Task.WhenAll(jobs.Select(j => grains.GetGrain<IUwRestJobGrain>(j.Key).GetStatusAsync().AnswerOrNullAsync(cancellationToken))))
            .OfType<UwRestJobStatus>().ToList();
        var failing = statuses.Where(s => s.ConsecutiveFailures > 0).OrderByDescending(s => s.ConsecutiveFailures).ToList();
        return new UwRestStatusSection(await limiter, jobs.Count, statuses.Count, failing.Count,
            statuses.Sum(s => s.Requests), statuses.Sum(s => s.Failures), statuses.Sum(s => s.Deferred),
            statuses.Min(s => s.NextDueAt), failing);
    }
}
