using Ingestion.Replay;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// dotnet run --project src/Replay -- --Replay:Urls=http://127.0.0.1:9100 --Replay:Speed=1 --Replay:Dataset=synthetic
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.AddReplayServer();
await builder.Build().RunAsync();
