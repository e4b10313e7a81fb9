using RoutedEmail.Core.Routing;

namespace RoutedEmail.Core.Tests.Routing;

public sealed class ConcurrencyLimitTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, 0, 1, 1, 1)]
    [InlineData(1, 0, 1, 1, 0)]
    [InlineData(0, 0, 3, 3, 3)]
    [InlineData(1, 1, 3, 3, 1)]
    [InlineData(0, 2, 3, 2, 0)]
    [InlineData(2, 0, 3, 10, 1)]
    [InlineData(0, 9, 5, 10, 1)]
    [InlineData(0, 12, 5, 10, 0)]
    [InlineData(4, 0, 3, 10, 0)]
    public void CountFreeSlots_BothMaxima_SmallerRemainderWins(
        int emails, int otherWork, int maxEmails, int maxTasks, int expected)
    {
        Assert.Equal(expected, RoutingPolicy.CountFreeSlots(emails, otherWork, maxEmails, maxTasks));
    }

    [Fact]
    public void ChooseNext_TaskMaximumReached_AgentSkipped()
    {
        var busy = Agent("ana", RoutingPolicy.CountFreeSlots(emails: 0, otherWork: 2, 2, 2));
        var free = Agent("bob", RoutingPolicy.CountFreeSlots(emails: 0, otherWork: 1, 2, 2));
        var heads = new Dictionary<string, QueueHead>(StringComparer.Ordinal)
        {
            ["Parts"] = new("Parts", 1, 0, T0),
        };

        Assert.Null(RoutingPolicy.ChooseNext([busy], heads));
        Assert.Equal(new RoutingChoice("bob", "Parts"), RoutingPolicy.ChooseNext([busy, free], heads));
    }

    private static RoutableAgent Agent(string agentId, int freeSlots) => new(
        agentId, new Dictionary<string, int>(StringComparer.Ordinal) { ["Parts"] = 1 }, 0, freeSlots, T0);
}
