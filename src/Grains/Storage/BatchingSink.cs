using System.Diagnostics;
using Ingestion.Observability;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Ingestion.Storage;

/// <summary>
/// Rows waiting for one destination (PostgreSQL or Redis) inside a persistence grain. Rows leave
/// only when the destination has taken them; a failing destination keeps them, in order, for the
/// next attempt, and each destination fails on its own.
/// <para>
/// Up to <see cref="StorageOptions.MaxBacklog"/> rows wait in memory; beyond that, and for as long
/// as anything is spooled, new rows go to the end of an on-disk <see cref="DiskSpool{T}"/>. Rows are
/// written oldest first: memory (always older), then the spool in file order. A failing destination
/// is retried after a pause that doubles up to <see cref="StorageOptions.MaxRetryPause"/>, never on
/// the path that takes in new rows, so an outage never stalls the stream.
/// </para>
/// </summary>
public sealed class BatchingSink<T>
{
    private readonly List<T> _pending = [];
    /// <summary>When rows arrived, in 100 ms buckets (End = sequence number after the bucket's last row): bounded however long an outage lasts.</summary>
    private readonly LinkedList<(long End, DateTimeOffset At)> _arrivals = new();
    private static readonly TimeSpan ArrivalBucket = TimeSpan.FromMilliseconds(100);
    private readonly string _name;
    private readonly string _writer;
    private readonly Func<IReadOnlyList<T>, CancellationToken, Task> _write;
    private readonly DiskSpool<T> _spool;
    private readonly StorageOptions _options;
    private readonly ResiliencePipeline _retry;
    private readonly IngestionMetrics _metrics;
    private readonly StoragePressure? _pressure;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KeyValuePair<string, object?> _tag;
    private Task? _running;
    private long _added;
    private long _removed;
    private long _written;
    private long _failures;
    private int _consecutiveFailures;
    private DateTimeOffset? _retryAt;
    private string? _lastError;
    private DateTimeOffset? _lastWriteAt;
    private bool _spilling;
    private bool _behindAlerted;
    private bool _unhealthyAlerted;

    private BatchingSink(string name, string writer, Func<IReadOnlyList<T>, CancellationToken, Task> write, DiskSpool<T> spool,
        StorageOptions options, IngestionMetrics metrics, StoragePressure? pressure, TimeProvider time, ILogger logger)
    {
        _name = name;
        _writer = writer;
        _write = write;
        _spool = spool;
        _options = options;
        _metrics = metrics;
        _pressure = pressure;
        _time = time;
        _logger = logger;
        _tag = new("sink", name);
        var pipeline = new ResiliencePipelineBuilder();
        if (options.RetryAttempts > 1)
        {
            pipeline.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.RetryAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
            });
        }
        _retry = pipeline
            .AddTimeout(TimeSpan.FromSeconds(30))
            .Build();
        if (spool.Count > 0)
        {
            // A spool left by an earlier activation: its rows are the oldest unwritten.
            _added = spool.Count;
            _arrivals.AddLast((_added, spool.OldestWriteTime ?? time.GetUtcNow()));
        }
    }

    /// <summary>Opens the sink and its spool in <paramref name="spoolDirectory"/>, picking up rows an earlier run left there.</summary>
    public static async Task<BatchingSink<T>> OpenAsync(string name, string writer, Func<IReadOnlyList<T>, CancellationToken, Task> write,
        string spoolDirectory, StorageOptions options, IngestionMetrics metrics, StoragePressure? pressure, TimeProvider time, ILogger logger)
    {
        var spool = await DiskSpool<T>.OpenAsync(spoolDirectory, options.SpoolSegmentRows, logger);
        return new BatchingSink<T>(name, writer, write, spool, options, metrics, pressure, time, logger);
    }

    public string Name => _name;

    /// <summary>Rows held in memory: the figure that counts against producers' credit.</summary>
    public int Pending => _pending.Count;

    /// <summary>Rows held in the on-disk spool.</summary>
    public long Spooled => _spool.Count;

    public string SpoolDirectory => _spool.Directory;

    /// <summary>
    /// A full batch waits, nothing is being written, and the destination's last write succeeded: a
    /// failing destination is retried only by the timer, so taking in rows never waits on it (a
    /// Redis command waits out its timeout while Redis is down).
    /// </summary>
    public bool IsDue => _pending.Count >= _options.BatchSize && _running is null && _consecutiveFailures == 0;

    private bool InRetryPause => _retryAt is { } at && _time.GetUtcNow() < at;

    /// <summary>Takes rows in: to memory while there is room and nothing is spooled, otherwise to the end of the spool.</summary>
    public async Task AddAsync(IReadOnlyList<T> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        _added += rows.Count;
        var now = _time.GetUtcNow();
        if (_arrivals.Last is { } last && now - last.Value.At < ArrivalBucket)
        {
            last.Value = (_added, last.Value.At);
        }
        else
        {
            _arrivals.AddLast((_added, now));
        }
        if (_spool.Count == 0 && _pending.Count + rows.Count <= _options.MaxBacklog)
        {
            _pending.AddRange(rows);
            return;
        }
        try
        {
            await _spool.AppendAsync(rows);
            _metrics.RowsSpooled.Add(rows.Count, _tag);
            if (!_spilling)
            {
                _spilling = true;
                _logger.LogWarning("Sink {Sink} of {Writer} holds {Pending} rows in memory (limit {Limit}); spilling new rows to {Spool}",
                    _name, _writer, _pending.Count, _options.MaxBacklog, _spool.Directory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The disk refused: holding the rows in memory beats losing them.
            _pending.AddRange(rows);
            _logger.LogError("ALERT: sink {Sink} of {Writer} could not spool {Rows} rows, kept in memory ({Pending} now): {Error}",
                _name, _writer, rows.Count, _pending.Count, ex.Message);
        }
    }

    /// <summary>
    /// Writes rows until none are left or the destination fails: memory first, then the spool, each
    /// write as large as <see cref="StorageOptions.MaxRowsPerWrite"/>, so a writer that fell behind
    /// catches up in a few large writes. Without <paramref name="force"/>, returns at once while a
    /// write is under way or the destination is in its retry pause.
    /// </summary>
    public async Task FlushAsync(bool force = false, CancellationToken cancellationToken = default) =>
        await FlushAsync(force, memoryOnly: false, cancellationToken);

    /// <summary>
    /// Makes every row taken in so far durable before the caller acknowledges it: a healthy destination
    /// writes what memory holds (not the spool, which is on disk already and may be long), a failing
    /// one is not waited for and memory moves to the head of the spool instead.
    /// </summary>
    public async Task WriteOrSpoolAsync()
    {
        if (_consecutiveFailures == 0)
        {
            await FlushAsync(force: true, memoryOnly: true);
        }
        if (_pending.Count > 0)
        {
            await SpillAsync();
        }
    }

    private async Task FlushAsync(bool force, bool memoryOnly, CancellationToken cancellationToken = default)
    {
        while (_running is { } running)
        {
            if (!force)
            {
                return;
            }
            await running;
        }
        if (!force && InRetryPause)
        {
            return;
        }
        var flush = FlushCoreAsync(memoryOnly, cancellationToken);
        _running = flush;
        try
        {
            await flush;
        }
        finally
        {
            _running = null;
        }
    }

    /// <summary>Moves the rows held in memory to the head of the spool, so nothing is lost when the writer stops with its destination down.</summary>
    public async Task SpillAsync()
    {
        while (_running is { } running)
        {
            // A write under way still owns the head of memory; let it finish (it is bounded by the write timeout).
            try { await running; } catch (OperationCanceledException) { }
        }
        if (_pending.Count == 0)
        {
            return;
        }
        await _spool.PrependAsync(_pending);
        _metrics.RowsSpooled.Add(_pending.Count, _tag);
        if (!_spilling)
        {
            _spilling = true;
            _logger.LogWarning("Sink {Sink} of {Writer} moved {Rows} unwritten rows to {Spool} (last error: {Error})",
                _name, _writer, _pending.Count, _spool.Directory, _lastError ?? "none");
        }
        _pending.Clear();
    }

    /// <summary>Raises or clears the lag and backlog alerts, and reports to <see cref="StoragePressure"/>.</summary>
    public void CheckHealth()
    {
        var behind = BehindSeconds();
        var late = behind > _options.BehindAlert.TotalSeconds;
        if (late && !_behindAlerted)
        {
            _metrics.SinkAlerts.Add(1, _tag, new("alert", "behind"));
            _logger.LogError("ALERT: sink {Sink} of {Writer} is {Behind:0.0} s behind ({Pending} rows in memory, {Spooled} spooled, last error: {Error})",
                _name, _writer, behind, _pending.Count, _spool.Count, _lastError ?? "none");
        }
        else if (!late && _behindAlerted)
        {
            _logger.LogInformation("Sink {Sink} of {Writer} caught up", _name, _writer);
        }
        _behindAlerted = late;

        var unhealthy = _pending.Count + _spool.Count > _options.UnhealthyBacklog;
        if (unhealthy && !_unhealthyAlerted)
        {
            _metrics.SinkAlerts.Add(1, _tag, new("alert", "backlog"));
            _logger.LogError("ALERT: sink {Sink} of {Writer} holds {Rows} unwritten rows, over Storage:UnhealthyBacklog {Limit}",
                _name, _writer, _pending.Count + _spool.Count, _options.UnhealthyBacklog);
        }
        _unhealthyAlerted = unhealthy;
        _pressure?.Report(_writer, _name, new SinkPressure(_pending.Count, _spool.Count, behind, _lastError is not null, _lastWriteAt));
    }

    public void Forget() => _pressure?.Forget(_writer, _name);

    public SinkStatus Status() =>
        new(_name, _pending.Count, _written, _failures, _lastError, _lastWriteAt, _spool.Count, Math.Round(BehindSeconds(), 3));

    /// <summary>How much older than the flush interval the oldest unwritten row is.</summary>
    private double BehindSeconds()
    {
        while (_arrivals.First is { } first && first.Value.End <= _removed)
        {
            _arrivals.RemoveFirst();
        }
        if (_arrivals.First is not { } oldest)
        {
            return 0;
        }
        var lag = _time.GetUtcNow() - oldest.Value.At - _options.FlushInterval;
        return lag > TimeSpan.Zero ? lag.TotalSeconds : 0;
    }

    private async Task FlushCoreAsync(bool memoryOnly, CancellationToken cancellationToken)
    {
        var max = Math.Max(_options.BatchSize, _options.MaxRowsPerWrite);
        while (true)
        {
            IReadOnlyList<T> batch;
            var fromSpool = _pending.Count == 0;
            if (!fromSpool)
            {
                batch = _pending.GetRange(0, Math.Min(_pending.Count, max));
            }
            else if (_spool.Count > 0 && !memoryOnly)
            {
                try
                {
                    batch = await _spool.PeekAsync(max, cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Failed(ex, 0);
                    return;
                }
            }
            else
            {
                break;
            }

            if (batch.Count > 0)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await _retry.ExecuteAsync(async ct => await _write(batch, ct), cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Failed(ex, batch.Count);
                    return;
                }
                _metrics.WriteLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, _tag);
            }

            if (fromSpool)
            {
                _spool.Consume(batch.Count);
            }
            else
            {
                _pending.RemoveRange(0, batch.Count);
            }
            Succeeded(batch.Count);
        }
        if (_spool.Count == 0)
        {
            _spilling = false;
        }
    }

    private void Succeeded(int count)
    {
        if (_consecutiveFailures > 0)
        {
            _logger.LogWarning("Sink {Sink} of {Writer} writes again after {Failures} failed attempts; {Pending} rows in memory and {Spooled} spooled to drain",
                _name, _writer, _consecutiveFailures, _pending.Count, _spool.Count);
        }
        _consecutiveFailures = 0;
        _retryAt = null;
        _removed += count;
        _written += count;
        _lastWriteAt = _time.GetUtcNow();
        _lastError = null;
        _metrics.RowsWritten.Add(count, _tag);
        _metrics.BatchSize.Record(count, _tag);
    }

    private void Failed(Exception ex, int count)
    {
        _failures++;
        _consecutiveFailures++;
        _lastError = ex.Message;
        var pause = TimeSpan.FromTicks(Math.Min(
            _options.MaxRetryPause.Ticks,
            _options.FlushInterval.Ticks * (1L << Math.Min(_consecutiveFailures - 1, 20))));
        _retryAt = _time.GetUtcNow() + pause;
        _metrics.WriteFailures.Add(1, _tag);
        _logger.LogWarning("Sink {Sink} of {Writer} failed to write {Rows} rows ({Pending} in memory, {Spooled} spooled; next try in {Pause}): {Error}",
            _name, _writer, count, _pending.Count, _spool.Count, pause, ex.Message);
    }
}
