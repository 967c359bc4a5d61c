using System.Threading.Channels;
using Ingestion.Events;
using Ingestion.Storage;
using Microsoft.Extensions.Logging;

namespace Ingestion.Sources.Feeds;

/// <summary>
/// The frames a socket reader has read and not yet published, oldest first: in memory up to a limit of events, then
/// on disk, so a flood far above what storage sustains costs disk, not memory, and the socket never waits.
/// <para>
/// The socket's loop only ever takes a lock and appends to a list (<see cref="Add"/>). Once memory is full, and for as
/// long as anything is on disk, new frames go to an overflow list that a background task keeps appending, one row per
/// event, to a <see cref="DiskSpool{T}"/> under <c>{spool root}/{connection}/{activation}</c>. The pump takes memory first, then the
/// spool, then what the overflow still holds: the order frames were read in.
/// </para>
/// <para>
/// Each activation holds a lock file in its directory. A directory whose lock is free belongs to an activation that
/// died (a killed process) with frames it had read but not published; a new activation of the same connection adopts
/// those frames ahead of its own.
/// </para>
/// </summary>
public sealed class ReaderBacklog<TEvent> : IAsyncDisposable where TEvent : class
{
    /// <summary>Events (or refused frames) per spool segment: what the pump loads at once when it reads the disk back.</summary>
    private const int ItemsPerSegment = 4_096;
    private const string LockFile = ".owner";

    private readonly object _gate = new();
    private readonly SemaphoreSlim _disk = new(1, 1);
    private readonly Queue<ReadFrame<TEvent>> _memory = new();
    private List<ReadFrame<TEvent>> _overflow = [];
    private readonly DiskSpool<SpooledItem<TEvent>> _spool;
    private readonly FileStream _owner;
    private readonly int _memoryLimit;
    private readonly ILogger _logger;
    /// <summary>Rung on every frame that goes to the overflow; while the spill task writes, more gather for its next append.</summary>
    private readonly Channel<bool> _spillSignal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _spilling;
    private readonly string _connection;
    private int _memoryEvents;
    private int _overflowEvents;
    private bool _toDisk;
    private bool _warned;

    private ReaderBacklog(string connection, DiskSpool<SpooledItem<TEvent>> spool, FileStream owner, int memoryLimit, ILogger logger)
    {
        _connection = connection;
        _spool = spool;
        _owner = owner;
        _memoryLimit = memoryLimit;
        _logger = logger;
        _toDisk = spool.Count > 0;
        _spilling = Task.Run(SpillLoopAsync);
    }

    /// <summary>Events held in memory (frames in the queue and in the overflow not yet on disk).</summary>
    public int InMemory
    {
        get { lock (_gate) return _memoryEvents + _overflowEvents; }
    }

    /// <summary>Events held on disk (the spool keeps one row per event).</summary>
    public long OnDisk => _spool.Count;

    /// <summary>Opens this activation's backlog under <paramref name="root"/>, adopting frames that dead activations of the connection left.</summary>
    public static async Task<ReaderBacklog<TEvent>> OpenAsync(string root, string connection, Guid activation, int memoryLimit, ILogger logger)
    {
        var connectionDirectory = Path.Combine(root, DiskSpool.FileSafe(connection));
        var directory = Path.Combine(connectionDirectory, activation.ToString("N"));
        Directory.CreateDirectory(directory);
        var owner = new FileStream(Path.Combine(directory, LockFile), FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        // Not flushed through to the disk: frames not yet published were promised to nobody, and spilling must keep up with the socket.
        var spool = await DiskSpool<SpooledItem<TEvent>>.OpenAsync(directory, ItemsPerSegment, logger, flushToDisk: false);
        foreach (var orphan in Directory.GetDirectories(connectionDirectory).Where(d => d != directory))
        {
            await AdoptAsync(orphan, spool, logger);
        }
        if (spool.Count > 0)
        {
            logger.LogWarning("Connection {Connection} adopted {Events} events that an earlier activation read but never published; publishing them first",
                connection, spool.Count);
        }
        return new ReaderBacklog<TEvent>(connection, spool, owner, memoryLimit, logger);
    }

    /// <summary>Called on the socket's loop: never waits for anything but a short lock.</summary>
    public void Add(ReadFrame<TEvent> frame)
    {
        var events = Count(frame);
        lock (_gate)
        {
            if (!_toDisk && _memoryEvents + events <= _memoryLimit)
            {
                _memory.Enqueue(frame);
                _memoryEvents += events;
                return;
            }
            _toDisk = true;
            _overflow.Add(frame);
            _overflowEvents += events;
            if (!_warned)
            {
                _warned = true;
                _logger.LogWarning("Connection {Connection} holds {Events} events waiting to publish (limit {Limit}); new frames go to disk until it catches up",
                    _connection, _memoryEvents, _memoryLimit);
            }
        }
        _spillSignal.Writer.TryWrite(true);
    }

    /// <summary>The oldest frames, up to the given events and bytes (at least one frame); empty when nothing waits.</summary>
    public async Task<List<ReadFrame<TEvent>>> TakeAsync(int maxEvents, int maxBytes)
    {
        var taken = new List<ReadFrame<TEvent>>();
        var events = 0;
        var bytes = 0;
        bool Fits(ReadFrame<TEvent> frame) => taken.Count == 0 || (events + Count(frame) <= maxEvents && bytes + frame.EstimatedBytes <= maxBytes);
        void Took(ReadFrame<TEvent> frame)
        {
            taken.Add(frame);
            events += Count(frame);
            bytes += frame.EstimatedBytes;
        }

        lock (_gate)
        {
            while (_memory.TryPeek(out var frame) && Fits(frame))
            {
                Took(_memory.Dequeue());
                _memoryEvents -= Count(frame);
            }
            if (taken.Count > 0 || !_toDisk)
            {
                return taken;
            }
        }

        await _disk.WaitAsync();
        try
        {
            if (_spool.Count > 0)
            {
                // Frame boundaries are not kept on disk: what comes back is one frame of as many items as fit.
                var head = await _spool.PeekAsync(maxEvents);
                var used = 0;
                var frameBytes = 0;
                while (used < head.Count && (used == 0 || frameBytes + head[used].Bytes <= maxBytes))
                {
                    frameBytes += head[used++].Bytes;
                }
                var items = head.Take(used).ToList();
                Took(new ReadFrame<TEvent>(
                    [.. items.Select(i => i.Event).OfType<TEvent>()], [.. items.Select(i => i.Refused).OfType<QuarantinedFrame>()], frameBytes));
                _spool.Consume(used);
                return taken;
            }
            lock (_gate)
            {
                // Disk is empty and the spill task is not writing (it holds _disk while it does): the overflow is the oldest.
                var used = 0;
                while (used < _overflow.Count && Fits(_overflow[used]))
                {
                    Took(_overflow[used++]);
                }
                _overflow.RemoveRange(0, used);
                _overflowEvents -= events;
                if (_overflow.Count == 0)
                {
                    _toDisk = false;
                    if (_warned)
                    {
                        _warned = false;
                        _logger.LogInformation("Connection {Connection} caught up with what it spilled to disk", _connection);
                    }
                }
            }
            return taken;
        }
        finally
        {
            _disk.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await _spilling;
        await _disk.WaitAsync();
        try
        {
            // What was never published stays on disk for the next activation (a reader stopped mid-flood), in reading
            // order: memory holds the oldest frames (read before the backlog went to disk), the overflow the newest.
            List<ReadFrame<TEvent>> oldest, newest;
            lock (_gate)
            {
                (oldest, newest) = ([.. _memory], _overflow);
                _memory.Clear();
                _overflow = [];
                (_memoryEvents, _overflowEvents) = (0, 0);
            }
            await _spool.AppendAsync(SpooledItem<TEvent>.From(newest));
            await _spool.PrependAsync(SpooledItem<TEvent>.From(oldest));
            if (OnDisk > 0)
            {
                _logger.LogWarning("Connection {Connection} stopped with {Events} events unpublished; left on disk for its next activation",
                    _connection, OnDisk);
            }
        }
        finally
        {
            _disk.Release();
            await _owner.DisposeAsync();
            if (_spool.Count == 0)
            {
                Directory.Delete(_spool.Directory, recursive: true);
            }
        }
    }

    private async Task SpillLoopAsync()
    {
        try
        {
            while (true)
            {
                await _spillSignal.Reader.ReadAsync(_stopping.Token);
                await _disk.WaitAsync(_stopping.Token);
                try
                {
                    List<ReadFrame<TEvent>> batch;
                    int events;
                    lock (_gate)
                    {
                        (batch, _overflow) = (_overflow, []);
                        (events, _overflowEvents) = (_overflowEvents, 0);
                    }
                    if (batch.Count == 0)
                    {
                        continue;
                    }
                    try
                    {
                        await _spool.AppendAsync(SpooledItem<TEvent>.From(batch));
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        // The disk refused: keep the frames in memory, ahead of anything added since.
                        lock (_gate)
                        {
                            _overflow.InsertRange(0, batch);
                            _overflowEvents += events;
                        }
                        _logger.LogError("ALERT: connection {Connection} could not spill {Frames} frames to disk, kept in memory: {Error}",
                            _connection, batch.Count, ex.Message);
                    }
                }
                finally
                {
                    _disk.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task AdoptAsync(string orphan, DiskSpool<SpooledItem<TEvent>> into, ILogger logger)
    {
        try
        {
            // Free lock: its activation is gone (a live one holds the file open exclusively).
            using (new FileStream(Path.Combine(orphan, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            {
            }
        }
        catch (IOException)
        {
            return; // still owned: an activation elsewhere on this machine that is still stopping
        }
        var left = await DiskSpool<SpooledItem<TEvent>>.OpenAsync(orphan, ItemsPerSegment, logger, flushToDisk: false);
        while (left.Count > 0)
        {
            var items = await left.PeekAsync(ItemsPerSegment);
            await into.AppendAsync(items);
            left.Consume(items.Count);
        }
        Directory.Delete(orphan, recursive: true);
    }

    private static int Count(ReadFrame<TEvent> frame) => frame.Events.Count + frame.Refused.Count;
}

/// <summary>One event or one refused frame of a spilled frame, with its share of the frame's estimated size: the unit of a reader's spool.</summary>
public sealed record SpooledItem<TEvent>(TEvent? Event, QuarantinedFrame? Refused, int Bytes) where TEvent : class
{
    public static List<SpooledItem<TEvent>> From(IEnumerable<ReadFrame<TEvent>> frames) =>
    [
        .. frames.SelectMany(frame =>
        {
            var share = frame.EstimatedBytes / Math.Max(1, frame.Events.Count + frame.Refused.Count);
            return frame.Events.Select(e => new SpooledItem<TEvent>(e, null, share))
                .Concat(frame.Refused.Select(r => new SpooledItem<TEvent>(null, r, share)));
        }),
    ];
}
