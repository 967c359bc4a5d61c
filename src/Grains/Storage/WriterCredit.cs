using Ingestion.Events;
using Microsoft.Extensions.Logging;

namespace Ingestion.Storage;

/// <summary>
/// Flow control between one producer (a socket reader's activation) and the writer that consumes
/// its stream: the producer publishes only while what it has sent and the writer has not taken,
/// plus what the writer holds unwritten in memory, stays under <see cref="StorageOptions.MaxInFlightPerProducer"/>.
/// Rows a writer has spooled to disk do not count, so during a storage outage producers keep going
/// and the surplus lands on disk rather than in memory.
/// Streams then never queue more than that per connection, so nothing waits in a stream long enough
/// to be dropped; the surplus waits in the reader's own queue, where the status page shows it.
/// </summary>
public sealed class WriterCredit(IStorageWriterGrain writer, Guid producer, int limit, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(100);

    private long _published;
    private WriterProgress _progress = new(0, 0);

    /// <summary>This activation's id, carried by every batch it publishes.</summary>
    public Guid Producer => producer;

    /// <summary>Events published but not yet taken, plus rows the writer holds unwritten, as last seen.</summary>
    public long InFlight => _published - _progress.Taken + _progress.Unwritten;

    /// <summary>Waits until <paramref name="count"/> more events fit; a batch larger than the limit waits for an empty pipe.</summary>
    public async Task WaitForRoomAsync(int count, CancellationToken cancellationToken = default)
    {
        var poll = TimeSpan.FromMilliseconds(5);
        while (!HasRoomFor(count))
        {
            try
            {
                _progress = await writer.GetProgressAsync(producer);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The writer is moving between silos; ask again shortly.
                logger.LogDebug(ex, "Writer progress unavailable for producer {Producer}", producer);
            }
            if (HasRoomFor(count))
            {
                return;
            }
            await Task.Delay(poll, time, cancellationToken);
            poll = poll * 2 < MaxPoll ? poll * 2 : MaxPoll;
        }
    }

    /// <summary>Records a published batch.</summary>
    public void Published(int count) => _published += count;

    private bool HasRoomFor(int count) => InFlight <= 0 || InFlight + count <= limit;
}
