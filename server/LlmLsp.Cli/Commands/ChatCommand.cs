using System.CommandLine;
using LlmLsp.Engine;
using LlmLsp.Features.Chat;
using LlmLsp.Features.Docs;
using LlmLsp.Features.Indexing;
using LlmLsp.Models;

namespace LlmLsp.Cli.Commands;

/// <summary>`llmlsp chat`: an interactive conversation in the terminal. Answers stream; Ctrl+C stops the
/// answer (not the program); /reset forgets the conversation; /sources lists what the last answer cited.</summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var engineOptions = new EngineCommandOptions(ModelRole.Chat);
        var workspace = new Option<bool>("--workspace", "-w") { Description = "Ground answers in the index of the current folder (see `llmlsp index`)." };
        var command = new Command("chat", "Chat with a local model; answers stream as they are generated.");
        engineOptions.AddTo(command);
        command.Options.Add(workspace);
        var retrieval = new RetrievalCommandOptions();
        retrieval.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async ct =>
        {
            using var loggerFactory = CliLogging.Create(parse.GetValue(engineOptions.Verbose));
            using var backends = ConfiguredBackends.Load();
            var remote = parse.GetValue(engineOptions.Model) is null ? backends.For(ModelRole.Chat) : null;
            using var engine = remote is null ? LlamaEngine.Load(engineOptions.ToEngineOptions(parse), loggerFactory) : null;
            var chatModel = engine is null ? ChatModel.FromRemote(remote!.Server, parse.GetValue(engineOptions.ContextSize)) : ChatModel.FromEngine(engine);
            var (index, embeddings) = retrieval.CreateIndex(parse, loggerFactory);
            using var _ = embeddings;
            using var __ = index;
            var feature = new ChatFeature(chatModel, index);
            var context = parse.GetValue(workspace) ? new ChatContext(DocumentPath: Path.Combine(Environment.CurrentDirectory, "."), Workspace: true) : null;
            var interactive = !Console.IsInputRedirected;
            var history = new List<ChatTurn>();
            ChatResult? last = null;

            // Ctrl+C cancels the answer in progress; at the prompt it ends the program as usual.
            CancellationTokenSource? answering = null;
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                if (answering is { } current)
                {
                    e.Cancel = true;
                    current.Cancel();
                }
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                if (interactive)
                {
                    await Console.Error.WriteLineAsync($"Chatting with {chatModel.Name}. /reset forgets, /sources lists citations, /exit quits.").ConfigureAwait(false);
                }
                while (!ct.IsCancellationRequested)
                {
                    if (interactive)
                    {
                        await Console.Out.WriteAsync("> ").ConfigureAwait(false);
                    }
                    var line = await Console.In.ReadLineAsync(ct).ConfigureAwait(false);
                    if (line is null || line.Trim() == "/exit")
                    {
                        break;
                    }
                    switch (line.Trim())
                    {
                        case "":
                            continue;
                        case "/reset":
                            history.Clear();
                            last = null;
                            await Console.Out.WriteLineAsync("(conversation cleared)").ConfigureAwait(false);
                            continue;
                        case "/sources":
                            await PrintSourcesAsync(last).ConfigureAwait(false);
                            continue;
                    }
                    history.Add(new ChatTurn("user", line));
                    using (answering = CancellationTokenSource.CreateLinkedTokenSource(ct))
                    {
                        await foreach (var update in feature.ChatAsync(new ChatRequest(history, context), answering.Token).ConfigureAwait(false))
                        {
                            if (update.Result is { } result)
                            {
                                last = result;
                                history.Add(new ChatTurn("assistant", result.Text));
                                await Console.Out.WriteLineAsync(result.FinishReason == "cancelled" ? " [stopped]" : "").ConfigureAwait(false);
                            }
                            else
                            {
                                await Console.Out.WriteAsync(update.Delta).ConfigureAwait(false);
                                await Console.Out.FlushAsync(ct).ConfigureAwait(false);
                            }
                        }
                    }
                    answering = null;
                }
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            return 0;
        }, cancellationToken));
        return command;
    }

    private static async Task PrintSourcesAsync(ChatResult? last)
    {
        if (last is null || last.Citations.Count == 0)
        {
            await Console.Out.WriteLineAsync("(the last answer cited no sources)").ConfigureAwait(false);
            return;
        }
        foreach (var citation in last.Citations)
        {
            await Console.Out.WriteLineAsync($"[{citation.Number}] {citation.Path}:{citation.StartLine}-{citation.EndLine}").ConfigureAwait(false);
        }
    }
}
