"""The console's routes, one APIRouter a module by area (assembled by ``services.console.app``)."""
