using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ingestion.Replay.Polygon.Recorded;

namespace Ingestion.Replay.UnusualWhales.Recorded;

/// <summary>
/// The UW lines of a recorded NDJSON file. One file format serves every source: each line names the WebSocket
/// path its frame goes out on, so Polygon lines carry "/stocks", "/options" or "/indices" and UW lines carry
/// "/socket": {"path":"/socket","offset_ms":0,"frame":["flow-alerts",{…}]}. Each loader takes its own lines and
/// skips the others, so one Dataset file can feed both protocols, and a UW-only file (Datasets/uw-sample.ndjson)
/// leaves the Polygon sockets silent.
/// </summary>
internal sealed class UwRecordedDataset
{
    private const long MinuteMs = 60_000;
    private const long LoopGapMs = 1000;

    private UwRecordedDataset(string path, IReadOnlyList<UwRecordedFrame> frames)
    {
        Path = path;
        Frames = frames;
        LoopDurationMs = frames.Count == 0 ? LoopGapMs : frames[^1].OffsetMs + LoopGapMs;
        var times = frames.SelectMany(f => UwRecordedPayload.Times(f.Payload)).ToList();
        LoopTimeShiftMs = times.Count == 0 ? MinuteMs : Math.Max(MinuteMs, (times.Max() - times.Min() + MinuteMs) / MinuteMs * MinuteMs);
    }

    public string Path { get; }

    public IReadOnlyList<UwRecordedFrame> Frames { get; }

    /// <summary>Wall length of one pass at Speed 1: the last offset plus a one-second gap.</summary>
    public long LoopDurationMs { get; }

    /// <summary>How far event times move forward on each repeat, so repeats are new events rather than duplicates.</summary>
    public long LoopTimeShiftMs { get; }

    public static UwRecordedDataset Load(string path)
    {
        var resolved = RecordedDataset.Resolve(path);
        var frames = new List<UwRecordedFrame>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(resolved, Encoding.UTF8))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (ParseLine(line, resolved, lineNumber) is { } frame) frames.Add(frame);
        }
        return new UwRecordedDataset(resolved, [.. frames.OrderBy(f => f.OffsetMs)]);
    }

    private static UwRecordedFrame? ParseLine(string line, string file, int lineNumber)
    {
        try
        {
            var node = JsonNode.Parse(line)?.AsObject() ?? throw new JsonException("empty line");
            var path = node["path"]?.GetValue<string>() ?? throw new JsonException("missing \"path\"");
            if (path != Socket.UwSocketHandler.Path) return null;
            var offset = node["offset_ms"]?.GetValue<long>() ?? throw new JsonException("missing \"offset_ms\"");
            if (node["frame"] is not JsonArray { Count: 2 } frame) throw new JsonException("\"frame\" must be [channel, payload]");
            var channel = frame[0]?.GetValue<string>() ?? throw new JsonException("frame[0] must be the channel name");
            if (!UwChannel.TryParse(channel, out _, out var error)) throw new JsonException(error);
            var payload = frame[1] as JsonObject ?? throw new JsonException("frame[1] must be the payload object");
            return new UwRecordedFrame(channel, offset, payload);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{file}:{lineNumber}: {ex.Message}", ex);
        }
    }
}

/// <summary>One recorded UW frame: its channel, when to send it, and its payload as recorded.</summary>
internal sealed record UwRecordedFrame(string Channel, long OffsetMs, JsonObject Payload);
