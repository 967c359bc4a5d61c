using Ingestion.Scheduling;
using Ingestion.Storage;
using Ingestion.UnusualWhales;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingestion.Sources.UnusualWhales.Rest;

/// <summary>
/// Per-silo guardian of the REST jobs (the <c>ConnectionKeeper</c> pattern): while the silo runs it touches every
/// configured job grain every <c>KeepAliveInterval</c>, so jobs whose silo died come back on a survivor within
/// seconds. On the same beat it tells the credential's rate limiter how backlogged this silo's storage writers are,
/// so polling slows while storage catches up. It also prunes the archive to its retention once a day.
/// </summary>
public sealed class UwRestJobKeeper(
    IGrainFactory grains,
    UwRestArchive archive,
    UwRestCaller caller,
    StoragePressure pressure,
    ILocalSiloDetails silo,
    IOptions<UnusualWhalesOptions> source,
    IOptions<UnusualWhalesRestOptions> rest,
    IOptions<WatchlistOptions> watchlist,
    ILogger<UwRestJobKeeper> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromDays(1);
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <summary>Whether this configuration polls at all.</summary>
    public bool Active => source.Value.Enabled && rest.Value.Enabled;

    /// <summary>Every job the configuration asks for.</summary>
    public IReadOnlyList<UwRestJob> Jobs => Active ? UwRestCatalog.Jobs(rest.Value, watchlist.Value.EffectiveTickers) : [];

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(UwRestJobKeeper), ServiceLifecycleStage.Active + 1, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        if (!Active)
        {
            logger.LogInformation("Unusual Whales REST polling is off");
            return Task.CompletedTask;
        }
        logger.LogInformation("Keeping {Count} Unusual Whales REST jobs alive", Jobs.Count);
        _loop = KeepAliveLoopAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        await _loop;
    }

    private async Task KeepAliveLoopAsync(CancellationToken cancellationToken)
    {
        var jobs = Jobs;
        var lastPrune = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(rest.Value.KeepAliveInterval);
        try
        {
            do
            {
                await Task.WhenAll(jobs.Select(job => TouchAsync(job, cancellationToken)).Append(ReportStorageAsync(cancellationToken)));
                if (DateTimeOffset.UtcNow - lastPrune > PruneEvery)
                {
                    lastPrune = DateTimeOffset.UtcNow;
                    await PruneAsync(cancellationToken);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task TouchAsync(UwRestJob job, CancellationToken cancellationToken)
    {
        try
        {
            await grains.GetGrain<IUwRestJobGrain>(job.Key).EnsureRunningAsync().WaitAsync(CallTimeout, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(ex, "Could not reach REST job {Job}; trying again next round", job.Key);
        }
    }

    private async Task ReportStorageAsync(CancellationToken cancellationToken)
    {
        try
        {
            var report = new StorageReport(silo.SiloAddress.ToString(), pressure.IsBacklogged, pressure.Backlog, pressure.MaxBehindSeconds);
            await caller.Limiter.ReportStorageAsync(report).WaitAsync(CallTimeout, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(ex, "Could not report storage pressure to the rate limiter; trying again next round");
        }
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        try
        {
            var removed = await archive.PruneAsync(rest.Value.Retention, cancellationToken);
            if (removed > 0) logger.LogInformation("Pruned {Rows} uw_rest_payloads rows older than {Retention}", removed, rest.Value.Retention);
        }
        catch (Npgsql.NpgsqlException ex)
        {
            logger.LogWarning(ex, "Could not prune uw_rest_payloads; trying again tomorrow");
        }
    }
}
