using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Ingestion.Replay.UnusualWhales.Rest;

/// <summary>
/// UW's error bodies (protocols.md §1.2). Only 422 ({msg,path,query,url}) and 500 (text/plain "Something went wrong")
/// are documented; 401 and 429 bodies are not, so they reuse the 422 shape with their own msg: one JSON error shape
/// for a client to parse, and nothing a parser could mistake for data.
/// </summary>
internal static class UwRestErrors
{
    public const string ServerErrorText = "Something went wrong";

    public static JsonObject Body(HttpRequest request, string message) => new()
    {
        ["msg"] = message,
        ["path"] = request.Path.Value ?? "",
        ["query"] = request.QueryString.HasValue ? request.QueryString.Value![1..] : "",
        ["url"] = $"{request.Host}{request.Path}{request.QueryString}",
    };

    public static string Unauthorized => "Unauthorized: send a valid API token in the Authorization header (Bearer <token>)";

    public static string MinuteLimit(int perMinute, TimeSpan retryAfter) =>
        $"Too many requests: this token may make {perMinute} requests per minute; retry in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))} s";

    public static string DailyLimit(long perDay) =>
        $"Daily request limit of {perDay} reached for this token; it resets at 8 PM US/Eastern";
}
