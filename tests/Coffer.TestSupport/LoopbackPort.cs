using System.Net;
using System.Net.Sockets;

namespace Coffer.TestSupport;

/// <summary>Ports on 127.0.0.1 for servers under test, and for servers that are down.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// A port that nothing listens on right now: bound, read and closed again. A server may take it next (the small
    /// race of every free-port helper); until then a connection to it is refused at once, as to a server that is down.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
