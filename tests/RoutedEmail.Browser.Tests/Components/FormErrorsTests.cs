using RoutedEmail.Web.Services;

namespace RoutedEmail.Browser.Tests.Components;

public sealed class FormErrorsTests
{
    private static readonly string[] Fields = ["skillQueues", "password"];

    [Fact]
    public void FormErrors_IndexedKey_BelongsToField()
    {
        var errors = FormErrors.From(Problem(("skillQueues[0].rank", "skillQueues[0].rank is 0; it must be from 1 to 100.")),
            Fields);

        Assert.Equal(["skillQueues[0].rank is 0; it must be from 1 to 100."], errors.For("skillQueues"));
        Assert.Empty(errors.Top);
        Assert.Equal("true", errors.Invalid("skillQueues"));
        Assert.Null(errors.Invalid("password"));
    }

    [Fact]
    public void FormErrors_UnknownField_GoesToTop()
    {
        var errors = FormErrors.From(Problem(("escalation.afterSeconds", "escalation.afterSeconds is missing.")),
            Fields);

        Assert.Equal(["escalation.afterSeconds is missing."], errors.Top);
        Assert.Empty(errors.For("skillQueues"));
    }

    [Fact]
    public void FormErrors_SimilarPrefix_DoesNotBelong()
    {
        var errors = FormErrors.From(Problem(("passwordHint", "passwordHint is invalid.")), Fields);

        Assert.Empty(errors.For("password"));
        Assert.Equal(["passwordHint is invalid."], errors.Top);
    }

    [Fact]
    public void FormErrors_Conflict_DetailAtTop()
    {
        var conflict = new AgentApiException("The skill queue \"Parts\" holds 2 open emails.", 409);

        var errors = FormErrors.From(conflict, Fields);

        Assert.Equal(["The skill queue \"Parts\" holds 2 open emails."], errors.Top);
        Assert.True(errors.Any);
    }

    private static AgentApiException Problem(params (string Key, string Message)[] errors) =>
        new("The request is invalid.", 400,
            errors.ToDictionary(error => error.Key, error => new[] { error.Message }));
}
