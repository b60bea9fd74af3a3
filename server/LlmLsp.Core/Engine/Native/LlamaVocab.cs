using System.Buffers;
using System.Text;

namespace LlmLsp.Engine.Native;

/// <summary>The tokenizer of a loaded model. Valid as long as its model; every call checks the model is
/// still open. llama.cpp's vocabulary functions only read, so they are safe from any thread.</summary>
internal sealed unsafe class LlamaVocab
{
    private readonly SafeLlamaModelHandle _model;
    private readonly nint _vocab;

    internal LlamaVocab(SafeLlamaModelHandle model, nint vocab)
    {
        _model = model;
        _vocab = vocab;
    }

    private nint Raw
    {
        get
        {
            ObjectDisposedException.ThrowIf(_model.IsClosed, _model);
            return _vocab;
        }
    }

    public int TokenCount => Interop.Llama.llama_vocab_n_tokens(Raw);

    public int Bos => Interop.Llama.llama_vocab_bos(Raw);

    public int Eos => Interop.Llama.llama_vocab_eos(Raw);

    public int Eot => Interop.Llama.llama_vocab_eot(Raw);

    public bool AddsBos => Interop.Llama.llama_vocab_get_add_bos(Raw);

    public bool AddsEos => Interop.Llama.llama_vocab_get_add_eos(Raw);

    public int FimPrefix => Interop.Llama.llama_vocab_fim_pre(Raw);

    public int FimSuffix => Interop.Llama.llama_vocab_fim_suf(Raw);

    public int FimMiddle => Interop.Llama.llama_vocab_fim_mid(Raw);

    public int FimPad => Interop.Llama.llama_vocab_fim_pad(Raw);

    public int FimRepo => Interop.Llama.llama_vocab_fim_rep(Raw);

    public int FimFileSeparator => Interop.Llama.llama_vocab_fim_sep(Raw);

    public bool IsEndOfGeneration(int token) => Interop.Llama.llama_vocab_is_eog(Raw, token);

    public bool IsControl(int token) => Interop.Llama.llama_vocab_is_control(Raw, token);

    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        ArgumentNullException.ThrowIfNull(text);
        var byteCount = Encoding.UTF8.GetByteCount(text);
        var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(byteCount, 1));
        try
        {
            Encoding.UTF8.GetBytes(text, bytes);
            // A token covers at least one byte, plus room for BOS/EOS.
            var tokens = new int[byteCount + 4];
            fixed (byte* textPtr = bytes)
            {
                while (true)
                {
                    int count;
                    fixed (int* tokenPtr = tokens)
                    {
                        count = Interop.Llama.llama_tokenize(Raw, textPtr, byteCount, tokenPtr, tokens.Length, addSpecial, parseSpecial);
                    }
                    if (count == int.MinValue)
                    {
                        throw new LlmLspException(ErrorKind.InvalidInput, "The text is too long to tokenize.");
                    }
                    if (count >= 0)
                    {
                        return tokens.AsSpan(0, count).ToArray();
                    }
                    tokens = new int[-count];
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Appends the raw bytes of one token (possibly a partial UTF-8 sequence) to <paramref name="output"/>.</summary>
    public void AppendPiece(int token, bool renderSpecial, ArrayBufferWriter<byte> output)
    {
        var span = output.GetSpan(64);
        int length;
        fixed (byte* p = span)
        {
            length = Interop.Llama.llama_token_to_piece(Raw, token, p, span.Length, 0, renderSpecial);
        }
        if (length < 0)
        {
            span = output.GetSpan(-length);
            fixed (byte* p = span)
            {
                length = Interop.Llama.llama_token_to_piece(Raw, token, p, span.Length, 0, renderSpecial);
            }
        }
        output.Advance(Math.Max(length, 0));
    }

    public string Detokenize(ReadOnlySpan<int> tokens, bool removeSpecial, bool unparseSpecial)
    {
        if (tokens.IsEmpty)
        {
            return "";
        }
        var buffer = new byte[tokens.Length * 8 + 16];
        fixed (int* tokenPtr = tokens)
        {
            while (true)
            {
                int length;
                fixed (byte* textPtr = buffer)
                {
                    length = Interop.Llama.llama_detokenize(Raw, tokenPtr, tokens.Length, textPtr, buffer.Length, removeSpecial, unparseSpecial);
                }
                if (length >= 0)
                {
                    return Encoding.UTF8.GetString(buffer, 0, length);
                }
                buffer = new byte[-length];
            }
        }
    }
}
