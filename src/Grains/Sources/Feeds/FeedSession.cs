using System.Net.WebSockets;
using System.Text;

namespace Ingestion.Sources.Feeds;

/// <summary>One open socket of a <see cref="FeedConnection"/>, as a protocol sees it.</summary>
public sealed class FeedSession(WebSocket socket, Action markStreaming)
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    /// <summary>Sends one text frame; sends never interleave.</summary>
    public async Task SendTextAsync(string text, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The protocol reached steady streaming (logged in, subscribed): failures so far are forgiven.</summary>
    public void MarkStreaming() => markStreaming();
}
