using System.Text;

namespace LlmLsp.Engine;

/// <summary>Turns token bytes into text as they arrive: a character split across tokens is held until its
/// last byte comes, and text that might be the start of a stop sequence is held until it is clearly not.</summary>
internal sealed class StreamingTextDecoder
{
    private readonly Decoder _utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private readonly IReadOnlyList<string> _stopSequences;
    private readonly StringBuilder _held = new();
    private char[] _chars = new char[64];

    public StreamingTextDecoder(IReadOnlyList<string> stopSequences)
    {
        _stopSequences = stopSequences.Where(s => s.Length > 0).ToArray();
    }

    public bool Stopped { get; private set; }

    /// <summary>Adds the bytes of one token; returns the text that is now safe to show.</summary>
    public string Push(ReadOnlySpan<byte> bytes)
    {
        if (Stopped)
        {
            return "";
        }
        var needed = _utf8.GetCharCount(bytes, flush: false);
        if (needed > _chars.Length)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }
        var count = _utf8.GetChars(bytes, _chars, flush: false);
        _held.Append(_chars, 0, count);
        return Release();
    }

    /// <summary>Ends the stream: whatever is held (and not a stop sequence) is released.</summary>
    public string Flush()
    {
        if (Stopped)
        {
            return "";
        }
        var count = _utf8.GetChars(ReadOnlySpan<byte>.Empty, _chars, flush: true);
        _held.Append(_chars, 0, count);
        var text = _held.ToString();
        _held.Clear();
        return text;
    }

    private string Release()
    {
        if (_stopSequences.Count == 0)
        {
            var all = _held.ToString();
            _held.Clear();
            return all;
        }
        var text = _held.ToString();
        var stopAt = -1;
        foreach (var stop in _stopSequences)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (stopAt < 0 || at < stopAt))
            {
                stopAt = at;
            }
        }
        if (stopAt >= 0)
        {
            Stopped = true;
            _held.Clear();
            return text[..stopAt];
        }
        // Hold back the longest tail that could still grow into a stop sequence.
        var keep = 0;
        foreach (var stop in _stopSequences)
        {
            for (var length = Math.Min(stop.Length - 1, text.Length); length > keep; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    keep = length;
                    break;
                }
            }
        }
        _held.Clear();
        _held.Append(text, text.Length - keep, keep);
        return text[..^keep];
    }
}
