namespace Ingestion.Instruments;

/// <summary>
/// The last <see cref="Capacity"/> distinct ids seen, for dropping redelivered events: a ring of ids
/// in arrival order beside a set for lookup. The ring grows only as ids arrive, so an instrument
/// with little traffic holds little.
/// </summary>
[GenerateSerializer, Alias("ingestion.recent-ids")]
public sealed class RecentIds
{
    [Id(0)] private readonly List<string> _ring = [];
    [Id(1)] private readonly HashSet<string> _set = new(StringComparer.Ordinal);
    [Id(2)] private int _next;
    [Id(3)] private int _capacity;

    public RecentIds() : this(50_000)
    {
    }

    public RecentIds(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Capacity => _capacity;

    public int Count => _set.Count;

    /// <summary>Remembers <paramref name="id"/>; false if it is already among the recent ids.</summary>
    public bool Add(string id)
    {
        if (!_set.Add(id))
        {
            return false;
        }
        if (_ring.Count < _capacity)
        {
            _ring.Add(id);
            return true;
        }
        _set.Remove(_ring[_next]);
        _ring[_next] = id;
        _next = (_next + 1) % _capacity;
        return true;
    }
}
