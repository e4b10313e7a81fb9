namespace RoutedEmail.Server.Keys;

/// <summary>Wakes the key rotation service after a change to a tenant's schedule, retry time or settings.</summary>
internal sealed class KeyRotationSignal
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A task that completes at the next notification; read it before reading the due times.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    public void Notify()
    {
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _changed, next).TrySetResult();
    }
}
