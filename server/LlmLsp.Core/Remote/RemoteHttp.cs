using System.Net;

namespace LlmLsp.Remote;

/// <summary>The one HTTP client shape every remote call uses: no proxy and no redirects (a request goes to the configured
/// host and nowhere else, so code and key cannot be bounced to a third host), and a guard that refuses any request
/// for another host, whatever builds it.</summary>
internal static class RemoteHttp
{
    public static HttpClient Create(RemoteEndpoint endpoint)
    {
        var sockets = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = endpoint.Timeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            AutomaticDecompression = DecompressionMethods.All,
        };
        return new HttpClient(new SameHostOnly(endpoint.Root, sockets), disposeHandler: true)
        {
            // Streams are watched for stalls piece by piece (RemoteCall); a whole-request limit would cut long answers.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    private sealed class SameHostOnly(Uri root, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.RequestUri;
            if (target is null || !string.Equals(target.Scheme, root.Scheme, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(target.IdnHost, root.IdnHost, StringComparison.OrdinalIgnoreCase) || target.Port != root.Port)
            {
                throw new LlmLspException(ErrorKind.Backend,
                    $"refused to send a request to {target?.GetLeftPart(UriPartial.Authority) ?? "(no address)"}: only {root.GetLeftPart(UriPartial.Authority)} is configured.");
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}
