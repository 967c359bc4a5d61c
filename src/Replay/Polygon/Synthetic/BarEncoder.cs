using System.Buffers;
using System.Text.Json;

namespace Ingestion.Replay.Polygon.Synthetic;

/// <summary>
/// Writes one A/AM element with exactly the vendor's keys and order (protocols.md §2.1):
/// stocks and options ev,sym,v,av,op,vw,o,c,h,l,a,z,s,e; indices ev,sym,op,o,c,h,l,s,e.
/// </summary>
internal sealed class BarEncoder(string ev, string symbol, bool hasVolume)
{
    public byte[] Encode(BarWindow window, DayValues day, long startMs, long endMs)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, PolygonJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("ev", ev);
            writer.WriteString("sym", symbol);
            if (hasVolume)
            {
                writer.WriteNumber("v", window.Volume);
                writer.WriteNumber("av", day.Volume);
            }
            writer.WriteNumber("op", day.Open);
            if (hasVolume) writer.WriteNumber("vw", window.Vwap);
            writer.WriteNumber("o", window.Open);
            writer.WriteNumber("c", window.Close);
            writer.WriteNumber("h", window.High);
            writer.WriteNumber("l", window.Low);
            if (hasVolume)
            {
                writer.WriteNumber("a", day.Vwap);
                writer.WriteNumber("z", window.AverageTradeSize);
            }
            writer.WriteNumber("s", startMs);
            writer.WriteNumber("e", endMs);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
