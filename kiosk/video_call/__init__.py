"""Video consultation (视频咨询, docs/video.md): the request, the port the call runs
behind, the call's figures, and the feature of the visit (``kiosk.video_call.feature``).
"""

from kiosk.video_call.call import CallRecord, CallRequest, VideoCallPort, call_priority, reason_key, record_call

__all__ = ["CallRecord", "CallRequest", "VideoCallPort", "call_priority", "reason_key", "record_call"]
