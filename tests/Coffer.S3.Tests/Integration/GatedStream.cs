namespace Coffer.S3.Tests.Integration;

/// <summary>A non-seekable stream that stops at <c>gateAt</c> bytes until the gate opens.</summary>
internal sealed class GatedStream(byte[] content, int gateAt, Task gate) : ForwardOnlyTestStream
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _position;

    public Task ReachedGate => _reached.Task;

    public override int Read(Span<byte> buffer) => throw new NotSupportedException("async only");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= gateAt && !gate.IsCompleted)
        {
            _reached.TrySetResult();
            await gate.WaitAsync(cancellationToken);
        }

        int limit = _position < gateAt ? gateAt - _position : content.Length - _position;
        int n = Math.Min(buffer.Length, limit);
        content.AsMemory(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }
}
