using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ingestion.Replay.Polygon.Recorded;

/// <summary>
/// A recorded NDJSON file, one frame per line: {"path":"/stocks","offset_ms":0,"frame":[...events...]}.
/// Frames are kept in offset order. Lines on "/socket" belong to Unusual Whales and are skipped here.
/// </summary>
internal sealed class RecordedDataset
{
    private const long MinuteMs = 60_000;
    private const long LoopGapMs = 1000;

    private RecordedDataset(string path, IReadOnlyList<RecordedFrame> frames)
    {
        Path = path;
        Frames = frames;
        LoopDurationMs = frames.Count == 0 ? LoopGapMs : frames[^1].OffsetMs + LoopGapMs;
        LoopTimeShiftMs = TimeShiftPerLoop(frames);
    }

    public string Path { get; }

    public IReadOnlyList<RecordedFrame> Frames { get; }

    /// <summary>Wall length of one pass at Speed 1: the last offset plus a one-second gap.</summary>
    public long LoopDurationMs { get; }

    /// <summary>
    /// How far event times move forward on each repeat of the file: the span of its event times rounded up to
    /// whole minutes, so repeats never reuse a window start and minute bars stay on minute boundaries.
    /// </summary>
    public long LoopTimeShiftMs { get; }

    /// <summary>Resolves <paramref name="path"/> against the current directory, then the app base directory, and loads it.</summary>
    public static RecordedDataset Load(string path)
    {
        var resolved = Resolve(path);
        var frames = new List<RecordedFrame>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(resolved, Encoding.UTF8))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (ParseLine(line, resolved, lineNumber) is { } frame) frames.Add(frame);
        }
        return new RecordedDataset(resolved, [.. frames.OrderBy(f => f.OffsetMs)]);
    }

    public static string Resolve(string path)
    {
        if (System.IO.Path.IsPathRooted(path)) return File.Exists(path) ? path : throw Missing(path);
        var fromCurrent = System.IO.Path.GetFullPath(path);
        if (File.Exists(fromCurrent)) return fromCurrent;
        var fromBase = System.IO.Path.Combine(AppContext.BaseDirectory, path);
        return File.Exists(fromBase) ? fromBase : throw Missing(path);
    }

    private static FileNotFoundException Missing(string path) =>
        new($"Recorded dataset '{path}' not found in the current directory ({Environment.CurrentDirectory}) or the app directory ({AppContext.BaseDirectory}).", path);

    /// <summary>A Polygon frame, or null for another source's line ("/socket" is Unusual Whales).</summary>
    private static RecordedFrame? ParseLine(string line, string file, int lineNumber)
    {
        try
        {
            var node = JsonNode.Parse(line)?.AsObject() ?? throw new JsonException("empty line");
            var path = node["path"]?.GetValue<string>() ?? throw new JsonException("missing \"path\"");
            if (path == UnusualWhales.Socket.UwSocketHandler.Path) return null;
            var market = path.TrimStart('/');
            if (!PolygonMarkets.IsKnown(market)) throw new JsonException($"unknown path {path}");
            var offset = node["offset_ms"]?.GetValue<long>() ?? throw new JsonException("missing \"offset_ms\"");
            var frame = node["frame"] as JsonArray ?? throw new JsonException("\"frame\" must be an array");
            var elements = frame.Select(e => e as JsonObject ?? throw new JsonException("frame elements must be objects")).ToList();
            return new RecordedFrame(market, offset, elements);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{file}:{lineNumber}: {ex.Message}", ex);
        }
    }

    private static long TimeShiftPerLoop(IReadOnlyList<RecordedFrame> frames)
    {
        var times = frames.SelectMany(f => f.Elements).SelectMany(RecordedEvent.Times).ToList();
        if (times.Count == 0) return MinuteMs;
        var span = times.Max() - times.Min();
        return Math.Max(MinuteMs, (span + MinuteMs - 1) / MinuteMs * MinuteMs);
    }
}

/// <summary>One recorded line: the market path, when to send it, and its events as recorded.</summary>
internal sealed record RecordedFrame(string Market, long OffsetMs, IReadOnlyList<JsonObject> Elements);
