-- CreateTable
CREATE TABLE "Upload" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "created" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'new',

    CONSTRAINT "Upload_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Upload_chatId_createdAt_idx" ON "Upload"("chatId", "createdAt");

-- CreateIndex
CREATE INDEX "Upload_state_createdAt_idx" ON "Upload"("state", "createdAt");

-- CreateIndex
CREATE INDEX "Upload_name_idx" ON "Upload"("name");
