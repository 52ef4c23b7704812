using System.Reactive.Linq;
using RxStream.Resilience;
using RxStream.Ui;

namespace RxStream.Tests.Ui;

public class StatusTextTests
{
    [Fact]
    public void Describe_NullStatus_ThrowsWithItsName() =>
        Assert.Equal("status", Assert.Throws<ArgumentNullException>(() => StatusText.Describe(null!)).ParamName);

    [Fact]
    public void Failed_NullError_ThrowsWithItsName() =>
        Assert.Equal("error", Assert.Throws<ArgumentNullException>(() => StatusText.Failed(null!)).ParamName);

    public static TheoryData<ConnectionStatus, string> Statuses => new()
    {
        { new ConnectionStatus.Connecting(1), "connecting…" },
        { new ConnectionStatus.Connecting(3), "connecting… (attempt 3)" },
        { new ConnectionStatus.Open(1, null), "connected" },
        { new ConnectionStatus.Reconnecting(2, TimeSpan.FromSeconds(3), new IOException("reset")), "reconnecting in 3 s" },
        { new ConnectionStatus.Reconnecting(2, TimeSpan.FromMilliseconds(1500), null), "reconnecting in 1.5 s" },
        { new ConnectionStatus.Reconnecting(2, TimeSpan.FromMilliseconds(300), null), "reconnecting in 300 ms" },
        { new ConnectionStatus.Reconnecting(2, TimeSpan.FromTicks(1), null), "reconnecting in 1 ms" },
        { new ConnectionStatus.Reconnecting(2, TimeSpan.Zero, null), "reconnecting in 0 s" },
        { new ConnectionStatus.Closed(null), "closed" },
        { new ConnectionStatus.Closed(new IOException("reset")), "failed: reset" },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public void Describe_EachStatus_SaysItInAFewWords(ConnectionStatus status, string expected) =>
        Assert.Equal(expected, StatusText.Describe(status));

    [Fact]
    public void ToStatusText_Statuses_DescribesEach()
    {
        var lines = new List<string>();
        using var subscription = new[] { (ConnectionStatus)new ConnectionStatus.Connecting(1), new ConnectionStatus.Closed(null) }
            .ToObservable().ToStatusText().Subscribe(lines.Add);

        Assert.Equal(["connecting…", "closed"], lines);
    }

    [Fact]
    public void ToStatusText_NullSource_ThrowsWithItsName() =>
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => ((IObservable<ConnectionStatus>)null!).ToStatusText()).ParamName);
}
