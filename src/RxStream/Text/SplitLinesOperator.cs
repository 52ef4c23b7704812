using System.Text;
using RxStream.Internal;

namespace RxStream.Text;

/// <summary>Splits text into lines ended by LF, CR or CRLF, however the text is split into pieces.</summary>
internal sealed class SplitLinesOperator(IObservable<string> source, int maxLineLength) : IObservable<string>
{
    public IDisposable Subscribe(IObserver<string> observer)
    {
        var sink = new Sink(observer, maxLineLength);
        sink.Run(source);
        return sink;
    }

    private sealed class Sink(IObserver<string> downstream, int maxLineLength) : Sink<string, string>(downstream)
    {
        // The start of a line that has not ended yet.
        private readonly StringBuilder _pending = new();

        // The previous piece ended with CR: an LF at the start of this one completes that CRLF.
        private bool _skipLineFeed;

        public override void OnNext(string value)
        {
            var text = value.AsSpan();
            if (_skipLineFeed && !text.IsEmpty)
            {
                _skipLineFeed = false;
                if (text[0] == '\n')
                {
                    text = text[1..];
                }
            }

            while (!text.IsEmpty)
            {
                var end = text.IndexOfAny('\r', '\n');
                if (end < 0)
                {
                    if (!Hold(text))
                    {
                        return;
                    }

                    break;
                }

                if (_pending.Length + end > maxLineLength)
                {
                    Fail();
                    return;
                }

                string line;
                if (_pending.Length == 0)
                {
                    line = text[..end].ToString();
                }
                else
                {
                    line = _pending.Append(text[..end]).ToString();
                    _pending.Clear();
                }

                if (text[end] == '\r')
                {
                    if (end + 1 == text.Length)
                    {
                        _skipLineFeed = true;
                    }
                    else if (text[end + 1] == '\n')
                    {
                        end++;
                    }
                }

                text = text[(end + 1)..];
                ForwardOnNext(line);
            }
        }

        public override void OnCompleted()
        {
            // The last line needs no line end; an empty remainder is no line at all.
            if (_pending.Length > 0)
            {
                var line = _pending.ToString();
                _pending.Clear();
                ForwardOnNext(line);
            }

            ForwardOnCompleted();
        }

        private bool Hold(ReadOnlySpan<char> text)
        {
            if (_pending.Length + text.Length > maxLineLength)
            {
                Fail();
                return false;
            }

            _pending.Append(text);
            return true;
        }

        private void Fail()
        {
            _pending.Clear();
            ForwardOnError(new StreamLimitExceededException(nameof(SplitLinesOptions.MaxLineLength), maxLineLength, "chars"));
        }
    }
}
