using Ingestion.Sources.Feeds;
using Microsoft.Extensions.Options;

namespace Ingestion.Sources.Polygon;

/// <summary>Configuration section <c>Sources:Polygon</c>.</summary>
public sealed class PolygonOptions
{
    public const string Section = "Sources:Polygon";

    public bool Enabled { get; set; } = true;

    /// <summary>Secret: from the environment (<c>Sources__Polygon__ApiKey</c>), never logged.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Host root; the market path (<c>/stocks</c>, <c>/options</c>, <c>/indices</c>) is appended.</summary>
    public string WebSocketUrl { get; set; } = "wss://socket.massive.com";

    public string RestBaseUrl { get; set; } = "https://api.massive.com";

    /// <summary>Stocks streamed as per-second aggregates (<c>A.&lt;symbol&gt;</c>); appsettings.json defaults it to SPY.</summary>
    public List<string> Stocks { get; set; } = [];

    /// <summary>Indices streamed as per-second aggregates (<c>A.I:VIX</c>); appsettings.json defaults it to I:VIX.</summary>
    public List<string> Indices { get; set; } = [];

    /// <summary>Option contracts streamed as minute aggregates (<c>AM.O:…</c>); a fixed list overrides discovery.</summary>
    public List<string> OptionContracts { get; set; } = [];

    /// <summary>Topics per connection; more are sharded over extra connections.</summary>
    public int MaxSubscriptionsPerConnection { get; set; } = 100;

    public bool RespectMarketHours { get; set; } = true;

    public FeedConnectionOptions Connection { get; set; } = new();
}

/// <summary>Checks <see cref="PolygonOptions"/> at start-up; every message names the key to fix.</summary>
public sealed class PolygonOptionsValidator : IValidateOptions<PolygonOptions>
{
    public ValidateOptionsResult Validate(string? name, PolygonOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        var errors = new List<string>();
        if (!Uri.TryCreate(options.WebSocketUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "ws" && uri.Scheme != "wss"))
        {
            errors.Add($"{PolygonOptions.Section}:WebSocketUrl must be an absolute ws:// or wss:// URL, got '{options.WebSocketUrl}'.");
        }
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            errors.Add($"{PolygonOptions.Section}:ApiKey is required when {PolygonOptions.Section}:Enabled is true (set Sources__Polygon__ApiKey).");
        }
        if (options.MaxSubscriptionsPerConnection is < 1 or > 1000)
        {
            errors.Add($"{PolygonOptions.Section}:MaxSubscriptionsPerConnection must be between 1 and 1000, got {options.MaxSubscriptionsPerConnection}.");
        }
        foreach (var contract in options.OptionContracts)
        {
            if (!OccSymbol.IsValid(contract))
            {
                errors.Add($"{PolygonOptions.Section}:OptionContracts has '{contract}', which is not an OCC option ticker like O:SPY261218C00590000.");
            }
        }
        errors.AddRange(options.Connection.Validate($"{PolygonOptions.Section}:Connection"));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
