using System.Text.Json;
using Ingestion.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Usage: dotnet run --project src/Client -- snapshot SPY
//        dotnet run --project src/Client -- contract O:SPY261218C00590000
if (args.Length < 2 || args[0] is not ("snapshot" or "contract"))
{
    Console.Error.WriteLine("usage: snapshot <SYMBOL> | contract <OCC SYMBOL>   (e.g. snapshot SPY, snapshot I:VIX)");
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
object snapshot = args[0] == "snapshot"
    ? await client.GetTickerSnapshotAsync(args[1])
    : await client.GetContractSnapshotAsync(args[1]);
Console.WriteLine(JsonSerializer.Serialize(snapshot, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
await host.StopAsync();
return 0;
