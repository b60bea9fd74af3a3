using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LlmLsp.Index.Chunking;

/// <summary>C# by type and member with Roslyn's syntax tree (no compilation needed): each member with
/// its doc comment is a block named by its symbol path (Namespace.Type.Member); small neighbouring
/// members of one type share a chunk named after the type.</summary>
internal sealed class CSharpChunker : IChunker
{
    public IReadOnlyList<ChunkDraft> Chunk(string relativePath, byte[] content, ChunkingOptions options)
    {
        if (!FileContentReader.TryDecodeUtf8(content, out var text))
        {
            throw new ChunkingException(SkipReason.InvalidUtf8, "not valid UTF-8");
        }

        var tree = CSharpSyntaxTree.ParseText(text, path: relativePath);
        var root = tree.GetCompilationUnitRoot();
        var sourceText = tree.GetText();
        var blocks = new List<TextBlock>();
        var fileName = Path.GetFileName(relativePath);

        TextBlock BlockFor(SyntaxNode node, string heading, string group, string groupHeading)
        {
            var span = node.FullSpan;
            var lines = sourceText.Lines.GetLinePositionSpan(span);
            var startLine = lines.Start.Line;
            // Leading trivia often starts with the blank line before the member; begin at the first non-blank line.
            while (startLine < lines.End.Line && string.IsNullOrWhiteSpace(sourceText.Lines[startLine].ToString()))
            {
                startLine++;
            }

            var endLine = lines.End.Character == 0 && lines.End.Line > startLine ? lines.End.Line - 1 : lines.End.Line;
            var blockText = sourceText.ToString(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(sourceText.Lines[startLine].Start, sourceText.Lines[endLine].End));
            return new TextBlock(blockText, startLine + 1, endLine + 1, heading, GroupKey: group, GroupHeading: groupHeading);
        }

        void Visit(SyntaxNode container, string prefix)
        {
            foreach (var member in container.ChildNodes().OfType<MemberDeclarationSyntax>())
            {
                switch (member)
                {
                    case BaseNamespaceDeclarationSyntax ns:
                        Visit(ns, Join(prefix, ns.Name.ToString()));
                        break;
                    case BaseTypeDeclarationSyntax or DelegateDeclarationSyntax:
                        VisitType(member, prefix);
                        break;
                    case GlobalStatementSyntax:
                        blocks.Add(BlockFor(member, fileName, fileName, fileName));
                        break;
                    default:
                        blocks.Add(BlockFor(member, Join(prefix, MemberName(member)), prefix, prefix));
                        break;
                }
            }
        }

        void VisitType(MemberDeclarationSyntax type, string prefix)
        {
            var typePath = Join(prefix, MemberName(type));
            var members = type.ChildNodes().OfType<MemberDeclarationSyntax>().ToList();
            if (members.Count == 0 || type is EnumDeclarationSyntax)
            {
                blocks.Add(BlockFor(type, typePath, typePath, typePath));
                return;
            }

            // The declaration line(s) with attributes and doc comment, up to the first member.
            var headerEnd = members[0].FullSpan.Start;
            var headerLines = sourceText.Lines.GetLinePositionSpan(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(type.FullSpan.Start, headerEnd));
            var header = sourceText.ToString(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(type.FullSpan.Start, headerEnd)).Trim('\r', '\n');
            if (header.Length > 0)
            {
                var first = headerLines.Start.Line;
                while (first < headerLines.End.Line && string.IsNullOrWhiteSpace(sourceText.Lines[first].ToString()))
                {
                    first++;
                }

                blocks.Add(new TextBlock(header.Trim('\n'), first + 1, Math.Max(first + 1, headerLines.End.Line), typePath, GroupKey: typePath, GroupHeading: typePath));
            }

            foreach (var member in members)
            {
                if (member is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax)
                {
                    VisitType(member, typePath);
                }
                else
                {
                    // A substantial member keeps its own chunk and its precise symbol path; small ones
                    // (fields, one-line properties) share a chunk named after the type.
                    var memberPath = Join(typePath, MemberName(member));
                    var block = BlockFor(member, memberPath, typePath, typePath);
                    blocks.Add(options.Count(block.Text) > options.MaxTokens / 4 ? block with { GroupKey = memberPath, GroupHeading = memberPath } : block);
                }
            }
        }

        Visit(root, "");
        if (blocks.Count == 0)
        {
            return PlainTextChunker.ChunkText(text, fileName, options);
        }

        return BlockPacker.Pack(blocks, options);
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    private static string MemberName(MemberDeclarationSyntax member) => member switch
    {
        BaseTypeDeclarationSyntax type => type.Identifier.Text,
        DelegateDeclarationSyntax d => d.Identifier.Text,
        MethodDeclarationSyntax m => m.Identifier.Text,
        ConstructorDeclarationSyntax c => c.Identifier.Text,
        DestructorDeclarationSyntax d => "~" + d.Identifier.Text,
        PropertyDeclarationSyntax p => p.Identifier.Text,
        EventDeclarationSyntax e => e.Identifier.Text,
        IndexerDeclarationSyntax => "this[]",
        OperatorDeclarationSyntax o => "operator " + o.OperatorToken.Text,
        ConversionOperatorDeclarationSyntax c => "operator " + c.Type,
        BaseFieldDeclarationSyntax f => string.Join(", ", f.Declaration.Variables.Select(v => v.Identifier.Text)),
        _ => member.Kind().ToString(),
    };
}
