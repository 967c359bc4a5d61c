using System.Text.Json;
using Ingestion.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Usage: dotnet run --project src/Client -- snapshot SPY
//        dotnet run --project src/Client -- contract O:SPY261218C00590000
//        dotnet run --project src/Client -- flow SPY                      (Unusual Whales view of a ticker)
//        dotnet run --project src/Client -- trades O:SPY261218C00590000   (Unusual Whales view of a contract)
if (args.Length < 2 || args[0] is not ("snapshot" or "contract" or "flow" or "trades"))
{
    Console.Error.WriteLine("usage: snapshot <SYMBOL> | contract <OCC SYMBOL> | flow <SYMBOL> | trades <OCC SYMBOL>   (e.g. snapshot SPY, flow SPY, trades O:SPY261218C00590000)");
    return 64;
}

var builder = Host.CreateApplicationBuilder(args[2..]);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.AddIngestionClient();
using var host = builder.Build();
try
{
    await host.StartAsync();
}
catch (Exception ex)
{
    Console.Error.WriteLine($"Could not reach the cluster ({ex.Message}). Is the silo running (make run)?");
    return 69;
}

var client = host.Services.GetRequiredService<IngestionClient>();
var json = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true };
Console.WriteLine(args[0] switch
{
    "snapshot" => JsonSerializer.Serialize(await client.GetTickerSnapshotAsync(args[1]), json),
    "contract" => JsonSerializer.Serialize(await client.GetContractSnapshotAsync(args[1]), json),
    "flow" => UnusualWhalesText.Describe(await client.GetTickerFlowAsync(args[1])),
    _ => UnusualWhalesText.Describe(await client.GetContractTradesAsync(args[1])),
});
await host.StopAsync();
return 0;
