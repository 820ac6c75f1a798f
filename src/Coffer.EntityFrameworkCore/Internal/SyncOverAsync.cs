namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>
/// The one place the synchronous EF paths (<c>SaveChanges</c>, a synchronous commit, <c>Dispose</c>) wait for Coffer's
/// asynchronous storage calls. Storages are asynchronous only, so a synchronous save has to block somewhere; the work
/// runs on the thread pool so that an app with a synchronization context (WPF, WinForms, old ASP.NET) cannot deadlock
/// waiting for a continuation that needs the thread it is blocking.
/// </summary>
internal static class SyncOverAsync
{
    public static void Run(Func<Task> action) => Task.Run(action).GetAwaiter().GetResult();

    public static void Run(Func<ValueTask> action) => Task.Run(() => action().AsTask()).GetAwaiter().GetResult();
}
