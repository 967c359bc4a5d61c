using Ingestion.Connections;
using Ingestion.Sources;
using Ingestion.Sources.Polygon;
using Ingestion.Sources.UnusualWhales;
using Ingestion.Storage;
using Microsoft.Extensions.Options;

namespace Ingestion.Hosting;

/// <summary>One configured feed connection: its reader grain and the writer that persists what it reads.</summary>
public sealed record ConnectionEntry(
    string Id,
    string Source,
    Func<IGrainFactory, ISocketReaderGrain> Reader,
    Func<IGrainFactory, IStorageWriterGrain> Writer);

/// <summary>Every connection the configuration asks for, across sources.</summary>
public sealed class ConnectionCatalog(IOptions<PolygonOptions> polygon, IOptions<UnusualWhalesOptions> unusualWhales, IOptions<WatchlistOptions> watchlist)
{
    private readonly Lazy<IReadOnlyList<ConnectionEntry>> _entries = new(() =>
    [
        .. PolygonConnectionPlan.Build(polygon.Value).Select(spec => new ConnectionEntry(
            spec.Id,
            PolygonFrameParser.Source,
            factory => factory.GetGrain<IPolygonSocketReaderGrain>(spec.Id),
            factory => factory.GetGrain<IPolygonAggregateWriterGrain>(spec.Id))),
        .. UwConnectionPlan.Build(unusualWhales.Value, watchlist.Value.EffectiveTickers).Select(spec => new ConnectionEntry(
            spec.Id,
            UwFrameParser.Source,
            factory => factory.GetGrain<IUnusualWhalesSocketReaderGrain>(spec.Id),
            factory => factory.GetGrain<IUnusualWhalesWriterGrain>(spec.Id))),
    ]);

    public IReadOnlyList<ConnectionEntry> Entries => _entries.Value;

    public IEnumerable<string> Sources => Entries.Select(e => e.Source).Distinct();
}

/// <summary>The socket-reader grains active on this silo (one registry per silo), for shutdown.</summary>
public sealed class LocalConnections
{
    private readonly HashSet<string> _ids = [];

    public void Add(string id) { lock (_ids) _ids.Add(id); }

    public void Remove(string id) { lock (_ids) _ids.Remove(id); }

    public IReadOnlyList<string> Snapshot() { lock (_ids) return [.. _ids]; }
}
