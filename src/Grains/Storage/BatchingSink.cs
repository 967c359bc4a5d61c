using System.Diagnostics;
using Ingestion.Observability;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Ingestion.Storage;

/// <summary>
/// Rows waiting for one destination (PostgreSQL or Redis) inside a persistence grain. Rows leave
/// only when the destination has taken them; a failing destination keeps them, in order, for the
/// next flush, and each destination fails on its own.
/// </summary>
public sealed class BatchingSink<T>
{
    private readonly List<T> _pending = [];
    private readonly string _name;
    private readonly string _writer;
    private readonly Func<IReadOnlyList<T>, CancellationToken, Task> _write;
    private readonly StorageOptions _options;
    private readonly ResiliencePipeline _retry;
    private readonly IngestionMetrics _metrics;
    private readonly ILogger _logger;
    private readonly KeyValuePair<string, object?> _tag;
    private long _written;
    private long _failures;
    private string? _lastError;
    private DateTimeOffset? _lastWriteAt;
    private bool _overBacklog;

    public BatchingSink(string name, string writer, Func<IReadOnlyList<T>, CancellationToken, Task> write,
        StorageOptions options, IngestionMetrics metrics, ILogger logger)
    {
        _name = name;
        _writer = writer;
        _write = write;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _tag = new("sink", name);
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.RetryAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
            })
            .AddTimeout(TimeSpan.FromSeconds(30))
            .Build();
    }

    public int Pending => _pending.Count;

    public bool IsDue => _pending.Count >= _options.BatchSize;

    public void Add(IEnumerable<T> rows) => _pending.AddRange(rows);

    /// <summary>
    /// Writes pending rows until none are left or the destination fails: everything held in one
    /// write when it fits in <see cref="StorageOptions.MaxRowsPerWrite"/>, so a writer that fell
    /// behind catches up in a few large writes rather than many small ones.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (_pending.Count > 0)
        {
            var count = Math.Min(_pending.Count, Math.Max(_options.BatchSize, _options.MaxRowsPerWrite));
            var batch = _pending.GetRange(0, count);
            var started = Stopwatch.GetTimestamp();
            try
            {
                await _retry.ExecuteAsync(async ct => await _write(batch, ct), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _failures++;
                _lastError = ex.Message;
                _metrics.WriteFailures.Add(1, _tag);
                _logger.LogWarning("Sink {Sink} of {Writer} failed to write {Rows} rows ({Pending} pending): {Error}",
                    _name, _writer, count, _pending.Count, ex.Message);
                WarnIfOverBacklog();
                return;
            }
            _pending.RemoveRange(0, count);
            _written += count;
            _lastWriteAt = DateTimeOffset.UtcNow;
            _lastError = null;
            _metrics.RowsWritten.Add(count, _tag);
            _metrics.BatchSize.Record(count, _tag);
            _metrics.WriteLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, _tag);
        }
        WarnIfOverBacklog();
    }

    public Ingestion.Storage.SinkStatus Status() => new(_name, _pending.Count, _written, _failures, _lastError, _lastWriteAt);

    private void WarnIfOverBacklog()
    {
        var over = _pending.Count > _options.MaxBacklog;
        if (over && !_overBacklog)
        {
            _logger.LogError("ALERT: sink {Sink} of {Writer} holds {Pending} unwritten rows, over its backlog limit of {Limit}",
                _name, _writer, _pending.Count, _options.MaxBacklog);
        }
        _overBacklog = over;
    }
}
