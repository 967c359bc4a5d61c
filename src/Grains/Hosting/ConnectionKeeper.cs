using Ingestion.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingestion.Hosting;

/// <summary>
/// Per-silo guardian of the feed connections. While the silo runs, it touches every configured
/// connection grain every few seconds: when a silo dies, the next touch re-creates its
/// connections on a survivor (a reminder alone would take a minute). When the silo stops, it
/// stops the connections living here, waits until their writers have received everything they
/// read (each reader's last batch), and flushes those writers before the runtime goes down.
/// </summary>
public sealed class ConnectionKeeper(
    ConnectionCatalog catalog,
    LocalConnections local,
    IGrainFactory grains,
    IOptions<IngestionOptions> options,
    ILogger<ConnectionKeeper> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <summary>
    /// One stage after <see cref="ServiceLifecycleStage.Active"/>, where stream pulling agents run: we start after
    /// them and, since stages stop in reverse, stop before them, so the drain can still deliver.
    /// </summary>
    public const int Stage = ServiceLifecycleStage.Active + 1;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ConnectionKeeper), Stage, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Keeping {Count} connections alive: {Connections}", catalog.Entries.Count, string.Join(", ", catalog.Entries.Select(e => e.Id)));
        _loop = KeepAliveLoopAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task KeepAliveLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.ConnectionKeepAliveInterval);
        do
        {
            await Task.WhenAll(catalog.Entries.Select(entry => TouchAsync(entry, cancellationToken)));
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    private async Task TouchAsync(ConnectionEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await entry.Reader(grains).EnsureRunningAsync().WaitAsync(CallTimeout, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(ex, "Could not reach connection {Connection}; trying again next round", entry.Id);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        await _loop;

        var ids = local.Snapshot();
        if (ids.Count == 0)
        {
            return;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.DrainTimeout);
        var entries = catalog.Entries.Where(e => ids.Contains(e.Id)).ToList();
        logger.LogInformation("Draining {Count} connections before shutdown", entries.Count);
        try
        {
            await Task.WhenAll(entries.Select(entry => DrainAsync(entry, deadline.Token)));
            logger.LogInformation("Drained {Count} connections: everything they read is written", entries.Count);
        }
        catch (OperationCanceledException)
        {
            logger.LogError("Shutdown drain did not finish within {Timeout}; writers flush what they hold as they deactivate", options.Value.DrainTimeout);
        }
    }

    private async Task DrainAsync(ConnectionEntry entry, CancellationToken cancellationToken)
    {
        var producer = await entry.Reader(grains).StopAsync().WaitAsync(cancellationToken);
        IStorageWriterGrain[] writers = [entry.Writer(grains), grains.GetGrain<IQuarantineWriterGrain>(entry.Source)];
        foreach (var writer in writers)
        {
            while (!await writer.HasDrainedAsync(producer).WaitAsync(cancellationToken))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
            }
            var status = await writer.FlushAsync().WaitAsync(cancellationToken);
            foreach (var sink in status.Sinks.Where(s => s.Pending > 0))
            {
                logger.LogError("Writer {Writer} still holds {Pending} rows for {Sink} at shutdown: {Error}", status.Writer, sink.Pending, sink.Sink, sink.LastError);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
