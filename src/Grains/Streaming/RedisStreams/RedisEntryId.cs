using System.Globalization;
using Orleans.Providers.Streams.Common;
using StackExchange.Redis;

namespace Ingestion.Streaming.RedisStreams;

/// <summary>
/// A Redis stream entry id <c>&lt;ms&gt;-&lt;seq&gt;</c> and the sequence number derived from it,
/// <c>ms &lt;&lt; 20 | seq</c>: the same entry always yields the same token, however often it is redelivered,
/// and tokens order like entry ids. 43 bits of milliseconds last until the year 2248; 20 bits of sequence
/// allow a million entries per millisecond, far beyond what one Redis stream accepts.
/// </summary>
public readonly record struct RedisEntryId(long Milliseconds, long Sequence) : IComparable<RedisEntryId>
{
    private const int SequenceBits = 20;
    private const long SequenceMask = (1L << SequenceBits) - 1;

    public static RedisEntryId Parse(RedisValue id)
    {
        var text = (string?)id ?? throw new FormatException("A Redis stream entry id is null.");
        var dash = text.IndexOf('-');
        if (dash <= 0
            || !long.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            throw new FormatException($"'{text}' is not a Redis stream entry id.");
        }
        if (seq > SequenceMask || ms >= 1L << (63 - SequenceBits))
        {
            throw new FormatException($"Redis stream entry id '{text}' does not fit a sequence token.");
        }
        return new RedisEntryId(ms, seq);
    }

    public static RedisEntryId FromSequenceNumber(long sequenceNumber) =>
        new(sequenceNumber >> SequenceBits, sequenceNumber & SequenceMask);

    public long SequenceNumber => Milliseconds << SequenceBits | Sequence;

    public EventSequenceTokenV2 ToToken() => new(SequenceNumber);

    /// <summary>The smallest id after this one, for <c>XTRIM MINID</c> (which keeps ids at or above it).</summary>
    public RedisEntryId Next() => this with { Sequence = Sequence + 1 };

    public int CompareTo(RedisEntryId other) =>
        Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");
}
