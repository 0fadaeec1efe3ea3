"""A typed asyncio client for Janus's VideoRoom plugin (the multi-party media server).

- ``remote_video.sfu.janus``: the WebSocket API (sessions, handles, keepalives), no WebRTC;
- ``remote_video.sfu.rooms``: rooms (create/destroy) and the pass a party joins with;
- ``remote_video.sfu.party``: a party publishing and watching with aiortc;
- ``remote_video.sfu.errors``: what can go wrong, as typed exceptions.

Nothing is imported here, so the centre can open rooms without loading aiortc.
"""
