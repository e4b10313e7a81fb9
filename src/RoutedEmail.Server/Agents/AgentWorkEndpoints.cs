using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Core.Agents;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Agents;

/// <summary>The agent's actions on its offers and emails: accept, decline, complete, end wrap and transfer.</summary>
internal static partial class AgentEndpoints
{
    private static void MapWorkActions(RouteGroupBuilder agent)
    {
        agent.MapPost("/offers/{offerId:long}/accept", AcceptAsync).WithSummary("Accepts a pending offer.");
        agent.MapPost("/offers/{offerId:long}/decline", DeclineAsync)
            .WithSummary("Declines a pending offer; the email goes back to its queue at its original place.");
        agent.MapPost("/emails/{emailId:long}/complete", CompleteAsync)
            .WithSummary("Completes an active email; it enters Wrap when the wrap time is above zero.");
        agent.MapPost("/emails/{emailId:long}/end-wrap", EndWrapAsync)
            .WithSummary("Ends the wrap time of an email now, so it becomes Completed.");
        agent.MapPost("/emails/{emailId:long}/transfer", TransferAsync)
            .WithSummary("Transfers an active email to a skill queue, or offers it to another agent.");
    }

    private static async Task<Results<Ok<AgentWork>, ValidationProblem, ProblemHttpResult>> TransferAsync(
        long emailId, TransferRequest request, ClaimsPrincipal user, AgentActions actions, IAgentStore agents,
        CancellationToken cancellationToken)
    {
        var agent = ReadAgentKey(user);
        var failure = await actions.TransferAsync(
            agent, emailId, request.SkillQueue, request.AgentId, cancellationToken);
        return await RespondAsync(agent, failure, agents, cancellationToken);
    }

    private static async Task<Results<Ok<AgentWork>, ValidationProblem, ProblemHttpResult>> AcceptAsync(
        long offerId, ClaimsPrincipal user, AgentActions actions, IAgentStore agents,
        CancellationToken cancellationToken)
    {
        var agent = ReadAgentKey(user);
        return await RespondAsync(agent, await actions.AcceptAsync(agent, offerId, cancellationToken), agents,
            cancellationToken);
    }

    private static async Task<Results<Ok<AgentWork>, ValidationProblem, ProblemHttpResult>> DeclineAsync(
        long offerId, ClaimsPrincipal user, AgentActions actions, IAgentStore agents,
        CancellationToken cancellationToken)
    {
        var agent = ReadAgentKey(user);
        return await RespondAsync(agent, await actions.DeclineAsync(agent, offerId, cancellationToken), agents,
            cancellationToken);
    }

    private static async Task<Results<Ok<AgentWork>, ValidationProblem, ProblemHttpResult>> CompleteAsync(
        long emailId, CompleteRequest? request, ClaimsPrincipal user, AgentActions actions, IAgentStore agents,
        CancellationToken cancellationToken)
    {
        var agent = ReadAgentKey(user);
        var failure = await actions.CompleteAsync(agent, emailId, request?.WorkCode, request?.Notes, cancellationToken);
        return await RespondAsync(agent, failure, agents, cancellationToken);
    }

    private static async Task<Results<Ok<AgentWork>, ValidationProblem, ProblemHttpResult>> EndWrapAsync(
        long emailId, ClaimsPrincipal user, AgentActions actions, IAgentStore agents,
        CancellationToken cancellationToken)
    {
        var agent = ReadAgentKey(user);
        return await RespondAsync(agent, await actions.EndWrapAsync(agent, emailId, cancellationToken), agents,
            cancellationToken);
    }

    /// <summary>Answers an action with the agent's work, or with the problem that matches its failure.</summary>
    private static async Task<Results<Ok<AgentWork>, ValidationProblem, ProblemHttpResult>> RespondAsync(
        AgentKey agent, AgentActionFailure? failure, IAgentStore agents, CancellationToken cancellationToken)
    {
        return failure switch
        {
            null => TypedResults.Ok(await agents.GetWorkAsync(agent.TenantId, agent.AgentId, cancellationToken)),
            { Kind: AgentActionFailureKind.Invalid } => TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [failure.Field!] = [failure.Detail] },
                detail: failure.Detail, title: failure.Title),
            { Kind: AgentActionFailureKind.NotFound } => TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound, title: failure.Title, detail: failure.Detail),
            _ => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict, title: failure.Title, detail: failure.Detail),
        };
    }
}
