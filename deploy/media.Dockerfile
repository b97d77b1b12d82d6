# The live media server: Debian's nginx with the RTMP module, configured from
# deploy/nginx-rtmp.conf (PLATFORM_URL and LIVE_HOOK_SECRET substituted at start).
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx libnginx-mod-rtmp gettext-base curl \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/nginx-rtmp/hls
COPY deploy/nginx-rtmp.conf /etc/nginx/nginx-rtmp.conf.template
EXPOSE 1935 8080
CMD ["sh", "-c", "envsubst '$PLATFORM_URL $LIVE_HOOK_SECRET' < /etc/nginx/nginx-rtmp.conf.template > /etc/nginx/nginx-rtmp.conf && exec nginx -c /etc/nginx/nginx-rtmp.conf"]
