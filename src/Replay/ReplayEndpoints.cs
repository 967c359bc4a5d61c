using Ingestion.Replay.Polygon;
using Ingestion.Replay.UnusualWhales.Socket;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ingestion.Replay;

/// <summary>HTTP control surface of the runnable tool: stats, fault injection, health.</summary>
internal static class ReplayEndpoints
{
    public static void MapReplayEndpoints(this IEndpointRouteBuilder app, ReplayStats stats, ReplayFaults faults)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/replay/stats", () => Results.Json(stats.Snapshot()));

        var group = app.MapGroup("/replay/faults");
        group.MapPost("/drop", () =>
        {
            faults.DropAllConnections();
            return Results.NoContent();
        });
        group.MapPost("/stall", (long? ms) =>
        {
            if (ms is null or < 0) return Results.BadRequest("ms must be a non-negative number of milliseconds.");
            faults.Stall(TimeSpan.FromMilliseconds(ms.Value));
            return Results.NoContent();
        });
        group.MapPost("/garbage", async (string? market, HttpRequest request) =>
        {
            // market=uw targets the Unusual Whales sockets; the Polygon market paths keep their meaning.
            if (market is null || !(PolygonMarkets.IsKnown(market) || market == UwConnection.MarketName))
                return Results.BadRequest($"market must be one of {string.Join(", ", PolygonMarkets.All)}, {UwConnection.MarketName}.");
            using var reader = new StreamReader(request.Body);
            faults.SendGarbage(market, await reader.ReadToEndAsync(request.HttpContext.RequestAborted));
            return Results.NoContent();
        });
        group.MapPost("/uw-rest", (int? status, int? count) =>
        {
            if (status is not (429 or 500)) return Results.BadRequest("status must be 429 or 500.");
            if (count is null or < 0) return Results.BadRequest("count must be a non-negative number of responses.");
            faults.FailNextUnusualWhalesRequests(status.Value, count.Value);
            return Results.NoContent();
        });
        group.MapPost("/refuse-auth", (bool? on) =>
        {
            if (on is null) return Results.BadRequest("on must be true or false.");
            faults.RefuseAuth = on.Value;
            return Results.NoContent();
        });
    }
}
