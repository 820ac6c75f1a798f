using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Coffer.TestSupport;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a real server, which a test can make hang the way a stopped server (SIGSTOP)
/// or a broken network does: sockets stay open, bytes stop. Unlike stopping the shared server itself, it hangs only
/// the clients that go through it, so other tests keep running.
/// </summary>
/// <remarks>
/// <see cref="Hang"/> stops every connection, open or new, in both directions until <see cref="Resume"/>;
/// <see cref="StallConnectionsAfter"/> stops for good each connection that has carried that many bytes from its client
/// (a stuck upload, while short requests on other connections still pass); <see cref="BlackHole"/> accepts
/// connections and never answers.
/// </remarks>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly DnsEndPoint? _upstream;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly Task _accepting;
    private volatile bool _hung;
    private long _stallAfter = long.MaxValue;

    private FaultProxy(DnsEndPoint? upstream)
    {
        _upstream = upstream;
        _listener.Start();
        Endpoint = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    /// <summary>The proxy's own endpoint, <c>http://127.0.0.1:port</c>.</summary>
    public string Endpoint { get; }

    /// <summary>A proxy that forwards to <paramref name="upstream"/> (an http endpoint) until told otherwise.</summary>
    public static FaultProxy To(string upstream)
    {
        var uri = new Uri(upstream);
        return new FaultProxy(new DnsEndPoint(uri.Host, uri.Port));
    }

    /// <summary>A port that accepts connections and never answers (nor reads) anything.</summary>
    public static FaultProxy BlackHole() => new(null);

    /// <summary>Every connection, open or new, stops moving bytes either way; the sockets stay open.</summary>
    public void Hang() => _hung = true;

    /// <summary>Bytes move again on every connection that <see cref="Hang"/> stopped.</summary>
    public void Resume() => _hung = false;

    /// <summary>Each connection stops for good once it has carried more than <paramref name="bytes"/> bytes from its client.</summary>
    public void StallConnectionsAfter(long bytes) => Interlocked.Exchange(ref _stallAfter, bytes);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stopping.Token);
            _sockets.Add(client);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        if (_upstream is null)
        {
            return; // the black hole: the socket stays open and unread until the proxy is disposed
        }

        try
        {
            await WhileStoppedAsync(stalled: () => false);
            var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
            _sockets.Add(server);
            await server.ConnectAsync(_upstream, _stopping.Token);
            long fromClient = 0;
            bool stalled = false;
            var up = PumpAsync(client, server, read =>
            {
                fromClient += read;
                stalled |= fromClient > Interlocked.Read(ref _stallAfter);
            }, () => stalled);
            var down = PumpAsync(server, client, _ => { }, () => stalled);
            await Task.WhenAny(up, down);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            // One side ended (or the proxy stops): end both, as a real peer's close would.
            client.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to, Action<int> onRead, Func<bool> stalled)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                await WhileStoppedAsync(stalled);
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
                if (read == 0)
                {
                    break;
                }

                onRead(read);
                // A read that completed as the proxy hung is held, not forwarded.
                await WhileStoppedAsync(stalled);
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            to.Dispose();
        }
    }

    private async Task WhileStoppedAsync(Func<bool> stalled)
    {
        while (_hung || stalled())
        {
            await Task.Delay(20, _stopping.Token);
        }
    }
}
