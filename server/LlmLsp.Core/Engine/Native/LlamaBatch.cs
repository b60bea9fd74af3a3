using System.Runtime.InteropServices;

namespace LlmLsp.Engine.Native;

/// <summary>A reusable llama_batch in one native allocation; each token belongs to exactly one sequence.</summary>
internal sealed unsafe class LlamaBatch : SafeHandle
{
    private readonly int _capacity;
    private LlamaBatchNative _native;

    public LlamaBatch(int capacity) : base(0, ownsHandle: true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        // token, pos, n_seq_id and seq_id values are int32; seq_id pointers are pointer-sized; logits are int8.
        var bytes = (nuint)capacity * (4u * sizeof(int) + (nuint)sizeof(int*) + 1u);
        var block = (byte*)NativeMemory.AllocZeroed(bytes);
        SetHandle((nint)block);
        _native.Token = (int*)block;
        _native.Pos = _native.Token + capacity;
        _native.NSeqId = _native.Pos + capacity;
        var seqValues = _native.NSeqId + capacity;
        _native.SeqId = (int**)(seqValues + capacity);
        _native.Logits = (sbyte*)(_native.SeqId + capacity);
        for (var i = 0; i < capacity; i++)
        {
            _native.SeqId[i] = seqValues + i;
            _native.NSeqId[i] = 1;
        }
    }

    public override bool IsInvalid => handle == 0;

    public int Capacity => _capacity;

    public int Count => _native.NTokens;

    public bool IsFull => _native.NTokens == _capacity;

    public void Clear() => _native.NTokens = 0;

    public void Add(int token, int position, int sequence, bool wantOutput)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        var i = _native.NTokens;
        if (i >= _capacity)
        {
            throw new InvalidOperationException($"The batch holds at most {_capacity} tokens.");
        }
        _native.Token[i] = token;
        _native.Pos[i] = position;
        *_native.SeqId[i] = sequence;
        _native.Logits[i] = wantOutput ? (sbyte)1 : (sbyte)0;
        _native.NTokens = i + 1;
    }

    /// <summary>Asks for output (logits or embeddings) at the last token added.</summary>
    public void RequestOutputAtLast() => _native.Logits[_native.NTokens - 1] = 1;

    internal LlamaBatchNative Native
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return _native;
        }
    }

    protected override bool ReleaseHandle()
    {
        NativeMemory.Free((void*)handle);
        return true;
    }
}
