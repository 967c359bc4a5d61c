using System.Collections.Concurrent;
using Ingestion.Observability;
using Microsoft.Extensions.Logging;

namespace Ingestion.Sources.UnusualWhales;

/// <summary>
/// Unknown fields in UW payloads: every occurrence moves a counter (tagged with channel family and
/// field); each field is logged once per UTC day per silo. The field itself stays in the raw payload.
/// </summary>
public sealed class UwSchemaDrift(IngestionMetrics metrics, TimeProvider time, ILogger<UwSchemaDrift> logger)
{
    private readonly ConcurrentDictionary<(string Family, string Field), DateOnly> _lastLogged = new();

    public void Report(string family, IReadOnlyList<string> fields)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        foreach (var field in fields)
        {
            metrics.SchemaDrift.Add(1, new("channel", family), new("field", field));
            var key = (family, field);
            if (!_lastLogged.TryGetValue(key, out var last) || last != today)
            {
                _lastLogged[key] = today;
                logger.LogWarning("Schema drift: {Channel} payloads carry an unknown field {Field} (kept in raw_payload)", family, field);
            }
        }
    }
}
