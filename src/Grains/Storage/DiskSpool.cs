using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Ingestion.Storage;

/// <summary>Naming shared by every spool's directory.</summary>
public static class DiskSpool
{
    /// <summary><paramref name="name"/> (a writer or connection key such as <c>polygon/stocks/0</c>) as one file-name-safe path segment.</summary>
    public static string FileSafe(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
}

/// <summary>
/// Rows of one sink that did not fit in memory while their destination was failing or slow, on
/// disk in order: a directory of NDJSON segments <c>NNNNNNNN.ndjson</c> (one JSON row per line,
/// at most <see cref="StorageOptions.SpoolSegmentRows"/> rows each), read oldest first. New rows
/// go to the newest segment; a segment being drained is sealed (nothing more is appended to it)
/// and deleted only once every row in it was written, so a crash re-writes at most one segment,
/// which idempotent writes absorb. A spool found on disk at start-up is picked up as it is.
/// Not thread-safe: it lives inside one grain activation.
/// </summary>
public sealed class DiskSpool<T>
{
    /// <summary>The first segment number; numbers below it are left for rows put ahead of the spool (<see cref="PrependAsync"/>).</summary>
    public const long FirstSegment = 1_000_000;

    private const string Extension = ".ndjson";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    private readonly string _directory;
    private readonly int _segmentRows;
    private readonly bool _flushToDisk;
    private readonly ILogger _logger;
    private readonly List<Segment> _segments;
    private bool _tailOpen;
    private List<T>? _head;
    private int _headOffset;

    private DiskSpool(string directory, int segmentRows, bool flushToDisk, ILogger logger, List<Segment> segments)
    {
        _flushToDisk = flushToDisk;
        _directory = directory;
        _segmentRows = segmentRows;
        _logger = logger;
        _segments = segments;
        Count = segments.Sum(s => (long)s.Rows);
    }

    /// <summary>Rows on disk not yet written to the destination.</summary>
    public long Count { get; private set; }

    /// <summary>Segment files on disk.</summary>
    public int Segments => _segments.Count;

    public string Directory => _directory;

    /// <summary>When the oldest segment was last written, for a spool found at start-up.</summary>
    public DateTimeOffset? OldestWriteTime =>
        _segments.Count == 0 ? null : new DateTimeOffset(File.GetLastWriteTimeUtc(_segments[0].Path), TimeSpan.Zero);

    /// <summary>
    /// Opens the spool in <paramref name="directory"/>, counting the rows of segments left by an earlier run. With
    /// <paramref name="flushToDisk"/> every append reaches the disk before it returns (rows someone was told are safe);
    /// without, appends stop at the OS cache, which survives a killed process but not a power cut.
    /// </summary>
    public static async Task<DiskSpool<T>> OpenAsync(string directory, int segmentRows, ILogger logger, CancellationToken cancellationToken = default, bool flushToDisk = true)
    {
        var segments = new List<Segment>();
        if (System.IO.Directory.Exists(directory))
        {
            foreach (var path in System.IO.Directory.GetFiles(directory, "*" + Extension))
            {
                if (long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    var rows = 0;
                    await foreach (var line in File.ReadLinesAsync(path, cancellationToken))
                    {
                        if (line.Length > 0) rows++;
                    }
                    segments.Add(new Segment(number, path, rows));
                }
            }
            segments.Sort((a, b) => a.Number.CompareTo(b.Number));
        }
        var spool = new DiskSpool<T>(directory, segmentRows, flushToDisk, logger, segments);
        if (spool.Count > 0)
        {
            logger.LogWarning("Found {Rows} spooled rows in {Segments} segments under {Directory}; draining them",
                spool.Count, segments.Count, directory);
        }
        return spool;
    }

    /// <summary>Adds rows after every row already spooled.</summary>
    public async Task AppendAsync(IReadOnlyList<T> rows, CancellationToken cancellationToken = default)
    {
        var index = 0;
        while (index < rows.Count)
        {
            if (!_tailOpen || _segments[^1].Rows >= _segmentRows)
            {
                var number = _segments.Count == 0 ? FirstSegment : _segments[^1].Number + 1;
                _segments.Add(new Segment(number, PathOf(number), 0));
                _tailOpen = true;
            }
            var tail = _segments[^1];
            var count = Math.Min(rows.Count - index, _segmentRows - tail.Rows);
            await WriteAsync(tail.Path, rows, index, count, cancellationToken);
            tail.Rows += count;
            Count += count;
            index += count;
        }
    }

    /// <summary>Puts rows ahead of every row already spooled (rows that were older, held in memory at shutdown).</summary>
    public async Task PrependAsync(IReadOnlyList<T> rows, CancellationToken cancellationToken = default)
    {
        if (rows.Count == 0)
        {
            return;
        }
        if (_segments.Count == 0)
        {
            await AppendAsync(rows, cancellationToken);
            return;
        }
        if (_head is not null && _headOffset > 0)
        {
            // The head held in memory stops being the first segment and is read again from its file when reached:
            // rewrite that file without the rows already consumed from it, or they would come back.
            var head = _segments[0];
            var rewritten = head.Path + ".rewrite";
            File.Delete(rewritten);
            await WriteAsync(rewritten, _head, _headOffset, _head.Count - _headOffset, cancellationToken);
            File.Move(rewritten, head.Path, overwrite: true);
            head.Rows = _head.Count - _headOffset;
        }
        _head = null;
        _headOffset = 0;
        var number = _segments[0].Number - 1;
        var segment = new Segment(number, PathOf(number), rows.Count);
        await WriteAsync(segment.Path, rows, 0, rows.Count, cancellationToken);
        _segments.Insert(0, segment);
        Count = _segments.Sum(s => (long)s.Rows);
    }

    /// <summary>Up to <paramref name="max"/> of the oldest rows, without removing them (see <see cref="Consume"/>).</summary>
    public async Task<IReadOnlyList<T>> PeekAsync(int max, CancellationToken cancellationToken = default)
    {
        if (_segments.Count == 0)
        {
            return [];
        }
        if (_head is null)
        {
            if (_segments.Count == 1)
            {
                _tailOpen = false; // seal it: new rows start the next segment
            }
            _head = await ReadAsync(_segments[0], cancellationToken);
            _headOffset = 0;
        }
        return _head.GetRange(_headOffset, Math.Min(max, _head.Count - _headOffset));
    }

    /// <summary>Forgets the <paramref name="count"/> oldest rows (returned by <see cref="PeekAsync"/>), deleting segments written in full.</summary>
    public void Consume(int count)
    {
        if (_head is null || count > _head.Count - _headOffset)
        {
            throw new InvalidOperationException("Consume must follow PeekAsync and not exceed what it returned.");
        }
        _headOffset += count;
        Count -= count;
        if (_headOffset < _head.Count)
        {
            return;
        }
        var done = _segments[0];
        _segments.RemoveAt(0);
        Count = _segments.Sum(s => (long)s.Rows);
        _head = null;
        _headOffset = 0;
        File.Delete(done.Path);
        if (_segments.Count == 0)
        {
            try
            {
                System.IO.Directory.Delete(_directory);
            }
            catch (IOException)
            {
                // Not empty (a file someone else put there) or in use: harmless.
            }
        }
    }

    /// <summary>The JSON line of one row (exposed for tests of the format).</summary>
    public static string Serialize(T row) => JsonSerializer.Serialize(row, Json);

    private string PathOf(long number) => Path.Combine(_directory, number.ToString("D8", CultureInfo.InvariantCulture) + Extension);

    private async Task WriteAsync(string path, IReadOnlyList<T> rows, int from, int count, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(_directory);
        var text = new StringBuilder();
        for (var i = from; i < from + count; i++)
        {
            text.Append(JsonSerializer.Serialize(rows[i], Json)).Append('\n');
        }
        await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        await file.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
        file.Flush(_flushToDisk);
    }

    private async Task<List<T>> ReadAsync(Segment segment, CancellationToken cancellationToken)
    {
        var rows = new List<T>(segment.Rows);
        var line = 0;
        await foreach (var text in File.ReadLinesAsync(segment.Path, cancellationToken))
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }
            try
            {
                rows.Add(JsonSerializer.Deserialize<T>(text, Json) ?? throw new JsonException("null row"));
            }
            catch (JsonException ex)
            {
                // A line cut short by a crash mid-append: nothing after it was acknowledged by the disk either.
                _logger.LogError("ALERT: unreadable row at {Path}:{Line} skipped: {Error}", segment.Path, line, ex.Message);
            }
        }
        if (rows.Count != segment.Rows)
        {
            // Keep the count honest with what the file really holds.
            Count += rows.Count - segment.Rows;
            segment.Rows = rows.Count;
        }
        return rows;
    }

    private sealed class Segment(long number, string path, int rows)
    {
        public long Number { get; } = number;
        public string Path { get; } = path;
        public int Rows { get; set; } = rows;
    }
}
