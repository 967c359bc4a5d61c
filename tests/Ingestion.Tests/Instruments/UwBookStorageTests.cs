using System.Text.Json;
using Ingestion.Instruments;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using static Ingestion.Tests.Instruments.UwEvents;

namespace Ingestion.Tests.Instruments;

/// <summary>
/// The books are grain state saved with the Orleans serializer (memory and PostgreSQL storage alike):
/// a saved and reloaded book must answer the same and still recognise the trade ids it has seen.
/// </summary>
public sealed class UwBookStorageTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(s => s.AddAssembly(typeof(UwTickerBook).Assembly).AddAssembly(typeof(TickerFlowSnapshot).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private static T RoundTrip<T>(T value) where T : class => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;

    private static string Json(object value) => JsonSerializer.Serialize(value);

    [Fact]
    public void Ticker_book_survives_a_save_and_reload()
    {
        var book = new UwTickerBook();
        book.Apply(Trade("t1", 0, "call", "ask", 10, 1_000m));
        book.Apply(Trade("t2", 2, "put", "bid", 1, 50m));
        book.Apply(Tick(Open.AddSeconds(3), 590m, 100));
        book.Apply(Tick(Open.AddSeconds(63), 591m, 160));
        book.Apply(Gex(1, 590m, 7m));
        book.Apply(Strike(1, 590m, 1m, -1m));
        book.Apply(Strike(1, 590m, 2m, -2m, new DateOnly(2026, 12, 18)));
        book.Apply(Alert("a1", 1));

        var reloaded = RoundTrip(book);
        Assert.Equal(Json(book.Snapshot("SPY")), Json(reloaded.Snapshot("SPY")));

        reloaded.Apply(Trade("t1", 0, "call", "ask", 10, 1_000m));
        reloaded.Apply(Trade("t3", 3, "call", "ask", 5, 500m));
        var snapshot = reloaded.Snapshot("SPY");
        Assert.Equal(1, snapshot.DuplicateTradesIgnored);
        Assert.Equal(1_500m, snapshot.Flow[0].Calls.AskPremium);
    }

    [Fact]
    public void Contract_book_survives_a_save_and_reload()
    {
        var book = new UwContractBook();
        book.Apply(Trade("t1", 0, "call", "ask", 10, 1_000m) with { NbboBid = 0.9m, NbboAsk = 1.1m, Delta = 0.4m });

        var reloaded = RoundTrip(book);
        Assert.Equal(Json(book.Snapshot("O:X")), Json(reloaded.Snapshot("O:X")));
        reloaded.Apply(Trade("t1", 0, "call", "ask", 10, 1_000m));
        Assert.Equal(1, reloaded.Snapshot("O:X").DuplicateTradesIgnored);
        Assert.Equal(10, reloaded.Snapshot("O:X").DayVolume);
    }
}
