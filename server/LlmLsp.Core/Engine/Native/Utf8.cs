using System.Runtime.InteropServices;

namespace LlmLsp.Engine.Native;

/// <summary>Copies NUL-terminated UTF-8 strings owned by llama.cpp into managed strings.</summary>
internal static unsafe class Utf8
{
    public static string Read(byte* text) => text is null ? "" : Marshal.PtrToStringUTF8((nint)text) ?? "";
}
