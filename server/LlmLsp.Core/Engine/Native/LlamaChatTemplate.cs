using System.Runtime.InteropServices;
using System.Text;

namespace LlmLsp.Engine.Native;

/// <summary>llama_chat_apply_template: formats messages with one of the templates llama.cpp recognises
/// (it matches the Jinja text against known families; it does not run Jinja).</summary>
internal static unsafe class LlamaChatTemplate
{
    /// <summary>The formatted prompt, or null when llama.cpp does not recognise the template.</summary>
    public static string? Apply(string template, IReadOnlyList<(string Role, string Content)> messages, bool addAssistant)
    {
        var handles = new List<nint>(messages.Count * 2 + 1);
        try
        {
            var templatePtr = AllocUtf8(template, handles);
            var native = new LlamaChatMessageNative[messages.Count];
            var totalChars = template.Length;
            for (var i = 0; i < messages.Count; i++)
            {
                native[i].Role = AllocUtf8(messages[i].Role, handles);
                native[i].Content = AllocUtf8(messages[i].Content, handles);
                totalChars += messages[i].Content.Length + messages[i].Role.Length;
            }
            var buffer = new byte[Math.Max(256, totalChars * 2 + 256)];
            while (true)
            {
                int length;
                fixed (LlamaChatMessageNative* chat = native)
                fixed (byte* buf = buffer)
                {
                    length = Interop.Llama.llama_chat_apply_template(templatePtr, chat, (nuint)native.Length, addAssistant, buf, buffer.Length);
                }
                if (length < 0)
                {
                    return null;
                }
                if (length <= buffer.Length)
                {
                    return Encoding.UTF8.GetString(buffer, 0, length);
                }
                buffer = new byte[length];
            }
        }
        finally
        {
            foreach (var h in handles)
            {
                NativeMemory.Free((void*)h);
            }
        }
    }

    private static byte* AllocUtf8(string text, List<nint> owned)
    {
        var count = Encoding.UTF8.GetByteCount(text);
        var p = (byte*)NativeMemory.Alloc((nuint)count + 1);
        owned.Add((nint)p);
        Encoding.UTF8.GetBytes(text, new Span<byte>(p, count));
        p[count] = 0;
        return p;
    }
}
