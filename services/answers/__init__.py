"""件件有回音: answers delivered to public reporters through the channel they reported by."""
